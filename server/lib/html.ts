/**
 * Drops the indentation GOV.UK Frontend's macros leave at the start of every line
 * (about 15% of a queue page), keeping one newline so text never runs together. Content
 * where whitespace is meaningful (`<pre>`, `<textarea>`) is left exactly as it is.
 */
export function collapseIndentation(html: string): string {
  return html
    .split(/(<pre[\s>][\s\S]*?<\/pre>|<textarea[\s>][\s\S]*?<\/textarea>)/i)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\n[ \t]+/g, '\n')))
    .join('');
}
