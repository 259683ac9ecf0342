/**
 * Text into HTML safely: element content and attributes, and the two kinds of script
 * this report inlines (JavaScript source and JSON data).
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * JavaScript source for a `<script>` element: a `</script` inside it would end the element,
 * so it is written `<\/script`, which means the same in strings, templates and regexes.
 */
export function escapeScriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

/** A value as JSON for `<script type="application/json">`: every `<` escaped, so no data can close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
