import { Type } from '@sinclair/typebox';

/**
 * An uploaded file's virus-scan state (security §5), as the API shows it for case attachments
 * and disclosure documents alike: a file downloads only when `clean` or `not_scanned`.
 */
export const ScanStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('clean'),
  Type.Literal('infected'),
  Type.Literal('not_scanned'),
]);
