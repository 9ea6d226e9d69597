import { escapeControl } from '../escape.js';

/**
 * Text from users and servers (prompts, tags, failure reasons, ids) as HTML text or a quoted
 * attribute value. Every `<`, `>`, `&` and both quotes become entities, so `</script>` or
 * `" onerror=` can neither end an element nor an attribute; control and bidirectional-override
 * characters are shown as visible escapes (as on a terminal), since the page should show what the
 * prompt holds, not let it reorder or hide text. Line breaks are kept (CSS shows them).
 */
export function escapeHtml(text: string): string {
  return escapeControl(text, { keepLines: true }).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * JSON for a `data-*` attribute (read back with JSON.parse): the same escaping as text, since the
 * browser decodes the entities before the script sees the value.
 */
export function attrJson(value: unknown): string {
  return escapeHtml(JSON.stringify(value));
}
