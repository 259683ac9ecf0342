import type { HeaderTemplate } from '../profiles/profile-types.js';
import { httpDate, renderTemplate, type TemplateVars } from '../profiles/template.js';

/** The template variables every request of a client on `topic` may use. */
export function topicVars(topic: string): Record<string, string> {
  return { topic: encodeURIComponent(topic), 'now.httpdate': httpDate() };
}

/** A profile's header templates rendered into a headers object. */
export function renderHeaders(headers: readonly HeaderTemplate[], vars: TemplateVars): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) out[h.name] = renderTemplate(h.value, vars);
  return out;
}
