import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * Sends a CSV (lib/csv.ts `csvStream`) as `<filename>.csv`: always a download, and never
 * sniffed into something a browser would render.
 */
export function sendCsv(reply: FastifyReply, filename: string, csv: Readable) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}.csv"`)
    .header('x-content-type-options', 'nosniff')
    .send(csv);
}
