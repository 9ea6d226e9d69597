/** What the gallery tests generate: a batch with two variants, a moderated line and a hostile prompt. */

/** Markup, an attribute break-out, quotes, a BEL and a right-to-left override: it must show as text and run nothing. */
export const HOSTILE_PROMPT = `</script><script>alert(1)</script><img src=x onerror=alert(2)> " onmouseover="alert(3) 'x' \u0007 bell \u202e reversed`;

export const batchLines = [
  JSON.stringify({ prompt: 'a red fox in snow', size: '480x480', variants: 2, seconds: 2 }),
  'a lighthouse at dusk',
  'a forbidden scene',
  JSON.stringify({ prompt: HOSTILE_PROMPT, tag: { campaign: 'q4' } }),
];

/** The opening `<script` tags of a page (its own one only, when escaping works). */
export function scriptsOf(html: string): string[] {
  return html.match(/<script\b/gi) ?? [];
}
