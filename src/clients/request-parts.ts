import type { HeaderTemplate } from '../profiles/profile-types.js';
import { httpDate, renderTemplate, type Template, type TemplateVars } from '../profiles/template.js';

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

/** The request a stream client on `topic` makes: its template variables, the rendered path and headers. */
export function topicRequest(spec: { readonly url: Template; readonly headers: readonly HeaderTemplate[] }, topic: string): { vars: Record<string, string>; path: string; headers: Record<string, string> } {
  const vars = topicVars(topic);
  return { vars, path: renderTemplate(spec.url, vars), headers: renderHeaders(spec.headers, vars) };
}

/** A WebSocket publish frame's text: the event body itself when the template is just `{{event}}` (no render per publish). */
export function publishFrameText(frame: Template, topic: string, body: string): string {
  if (frame.parts.length === 3 && frame.parts[0] === '' && frame.parts[1] === 'event' && frame.parts[2] === '') return body;
  return renderTemplate(frame, { ...topicVars(topic), event: body, 'event|json': JSON.stringify(body) });
}
