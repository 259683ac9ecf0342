/**
 * Profile templates: text with `{name}` variables, compiled once when a profile is loaded
 * and rendered per request. Which variables a key may use is decided by the loader; a name
 * outside that list is an error at load time, never an empty string at run time.
 */

/** The variables a template can name. `cursor.NAME` is any response-header cursor. */
export type TemplateVars = Readonly<Record<string, string>>;

export interface Template {
  /** The source text, for messages. */
  readonly text: string;
  /** Literal text and variable names, alternating: even indexes are literals. */
  readonly parts: readonly string[];
  /** The variable names used, in order. */
  readonly names: readonly string[];
}

const VARIABLE = /\{([A-Za-z][\w.|-]*)\}/g;

/**
 * Compiles `text`. A variable is `{name}` where name is an identifier (letters, digits, `_`,
 * `.`, `-`, `|`); every other brace is literal text, so JSON frames and bodies are written as
 * they are: `{"op":"join","topic":"{topic}"}`.
 */
export function compileTemplate(text: string): Template {
  const parts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    const raw = match[1];
    // Header cursors are named as the server spells the header; HTTP header names are case-insensitive.
    const name = raw.startsWith('cursor.') ? raw.toLowerCase() : raw;
    parts.push(text.slice(last, match.index), name);
    names.push(name);
    last = match.index! + match[0].length;
  }
  parts.push(text.slice(last));
  return { text, parts, names };
}

/** The template's text with every variable replaced. A variable missing from `vars` renders as ''. */
export function renderTemplate(template: Template, vars: TemplateVars): string {
  const parts = template.parts;
  if (parts.length === 1) return parts[0];
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) out += (vars[parts[i]] ?? '') + parts[i + 1];
  return out;
}


/**
 * The URL template with every query parameter whose value names a cursor left out: the
 * first request of a poller that has no cursor yet (`cursor.initial: omit`).
 */
export function withoutCursorParams(template: Template): Template {
  const text = template.text;
  const q = text.indexOf('?');
  if (q < 0) return template;
  const kept = text
    .slice(q + 1)
    .split('&')
    .filter((param) => !/\{cursor(\.[^}]*)?\}/.test(param));
  return compileTemplate(kept.length > 0 ? `${text.slice(0, q)}?${kept.join('&')}` : text.slice(0, q));
}

/** An HTTP date for `{now.httpdate}` (If-Modified-Since on a first request). */
export function httpDate(): string {
  return new Date().toUTCString();
}
