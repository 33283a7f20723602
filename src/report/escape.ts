/**
 * Escaping for the HTML report. Everything in it came from outside (answers, prompts, model
 * names), so text goes in escaped, and the embedded data cannot end its <script> element.
 */
const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML[c]);

/**
 * JSON for a `<script type="application/json">` element: `<` (so `</script>` and `<!--` cannot
 * appear), and U+2028/2029 escaped, which JSON allows and a parser reads back unchanged.
 */
export const jsonForScript = (v: unknown) =>
  JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
