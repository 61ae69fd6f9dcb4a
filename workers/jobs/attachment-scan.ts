import type { JobDefinition } from './types.js';

/**
 * `attachment-scan` (security §5): streams one upload (a case attachment, or a disclosure-log
 * document when `kind` says so) to clamd. While clamd is down the job throws and BullMQ
 * retries with backoff; the file stays `pending`, so it is never served.
 */
export const attachmentScanJob: JobDefinition<'attachment-scan'> = {
  name: 'attachment-scan',
  async process(data, ctx) {
    return ctx.services.attachmentScan.scan(data.attachmentId, data.kind ?? 'case_attachment');
  },
};
