import { describe, expect, it } from 'vitest';
import { collapseIndentation } from '../../server/lib/html.js';

describe('collapseIndentation', () => {
  it('drops leading indentation but keeps a newline between words', () => {
    expect(collapseIndentation('<p>\n    Open\n  </p>\n\t<td>a</td>')).toBe(
      '<p>\nOpen\n</p>\n<td>a</td>',
    );
  });

  it('leaves pre and textarea content exactly as written', () => {
    const html =
      '<div>\n  <pre>\n  line one\n    indented</pre>\n  <textarea name="x">\n  kept\n</textarea>\n</div>';
    expect(collapseIndentation(html)).toBe(
      '<div>\n<pre>\n  line one\n    indented</pre>\n<textarea name="x">\n  kept\n</textarea>\n</div>',
    );
  });
});
