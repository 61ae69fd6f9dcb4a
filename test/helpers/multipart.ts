import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { csrfFrom, type PageSession } from './auth.js';

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The smallest file `file-type` reads as a PDF. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

export interface Part {
  name: string;
  value?: string;
  filename?: string;
  contentType?: string;
  data?: Buffer;
}

/** A multipart/form-data body, as a browser builds it. */
export function multipart(parts: Part[]) {
  const boundary = `----opcc${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const head =
      part.filename !== undefined
        ? `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}\r\n`
        : `Content-Disposition: form-data; name="${part.name}"\r\n`;
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n`));
    chunks.push(part.data ?? Buffer.from(part.value ?? ''));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** Fields as parts: a repeated name (checkboxes) for an array. */
export function fieldParts(fields: Record<string, string | string[]>): Part[] {
  return Object.entries(fields).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => ({ name, value: v })),
  );
}

/** GETs `formUrl` for its CSRF token, then posts the form as multipart with its files. */
export async function postMultipart(
  app: FastifyInstance,
  session: PageSession,
  url: string,
  parts: Part[],
  formUrl = url,
) {
  const form = await session.get(formUrl);
  const body = multipart([{ name: '_csrf', value: csrfFrom(form.body) }, ...parts]);
  const response = await app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.jar.header(), 'content-type': body.contentType },
    payload: body.payload,
  });
  session.jar.store(response);
  return response;
}
