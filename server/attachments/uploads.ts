import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyContextConfig, FastifyReply, FastifySchema } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import type { Actor } from '../platform/audit.js';
import { AppError, validationError } from '../platform/errors.js';
import { IdParams } from '../platform/schemas.js';
import type { App } from '../platform/app-type.js';

/** Security §5: at most 10 MiB a file and 5 files a request. */
export const ATTACHMENT_LIMITS = { fileSize: 10 * 1024 * 1024, files: 5, filename: 200 };

/** The types we accept, by what the bytes are (magic numbers), with their extensions. */
export const ATTACHMENT_TYPES: Record<string, { extensions: string[]; label: string }> = {
  'application/pdf': { extensions: ['pdf'], label: 'PDF' },
  'image/png': { extensions: ['png'], label: 'PNG image' },
  'image/jpeg': { extensions: ['jpg', 'jpeg'], label: 'JPEG image' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    extensions: ['docx'],
    label: 'Word document',
  },
};

export const ACCEPTED_EXTENSIONS = Object.values(ATTACHMENT_TYPES)
  .flatMap((t) => t.extensions.map((e) => `.${e}`))
  .join(',');

export const describeAccepted = 'a PDF, PNG, JPEG or Word (DOCX) file';

/** What the bytes are, if one of the accepted types; the name and claimed type are ignored. */
export async function detectAttachmentType(data: Buffer): Promise<string | undefined> {
  const detected = await fileTypeFromBuffer(data);
  return detected && ATTACHMENT_TYPES[detected.mime] ? detected.mime : undefined;
}

/**
 * A display name that is safe to store and send back: no path, no control characters or
 * quotes, bounded, and ending in an extension of its detected type.
 */
export function safeFilename(raw: string, contentType: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
  const unsafe = /[\u0000-\u001f\u007f"<>*?|:]+/g;
  let name = base.replace(unsafe, ' ').replace(/\s+/g, ' ').trim();
  name = name.replace(/^\.+/, '');
  const type = ATTACHMENT_TYPES[contentType];
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (type && (!extension || !type.extensions.includes(extension)))
    name = `${name || 'attachment'}.${type.extensions[0]}`;
  if (name.length > ATTACHMENT_LIMITS.filename) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? name.slice(dot) : '';
    name = name.slice(0, ATTACHMENT_LIMITS.filename - ext.length) + ext;
  }
  return name || 'attachment';
}

/** `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 8187). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export const attachmentTooLarge = (name?: string) => {
  const message = `${name ? `${name}` : 'The selected file'} must be smaller than 10 MB`;
  return new AppError(413, 'correspondence.attachment_too_large', message, { file: message });
};

export const tooManyAttachments = () => {
  const message = `Select up to ${ATTACHMENT_LIMITS.files} files at a time`;
  return new AppError(413, 'correspondence.too_many_attachments', message, { file: message });
};

export const unsupportedAttachment = (name: string) => {
  const message = `${name || 'The selected file'} must be ${describeAccepted}`;
  return new AppError(415, 'correspondence.attachment_type', message, { file: message });
};

/** A file as it arrived in a request: the name the browser gave and the bytes. */
export interface UploadedFile {
  filename: string;
  data: Buffer;
  /** True when the upload was cut off at the size limit. */
  truncated?: boolean;
}

/**
 * The name to show for an uploaded file (its last path part, 100 characters at most), once it
 * is known to be neither cut off nor over `maxSize` (413) and not empty (400).
 */
export function sizeCheckedName(file: UploadedFile, maxSize: number): string {
  const shown = file.filename.split(/[\\/]/).pop()?.slice(0, 100) ?? '';
  if (file.truncated || file.data.length > maxSize) throw attachmentTooLarge(shown);
  if (file.data.length === 0)
    throw validationError({ file: `${shown || 'The selected file'} is empty` });
  return shown;
}

/** The files of a multipart body (`attachFieldsToBody`): any field that carries a file. */
export function uploadedFiles(body: unknown): UploadedFile[] {
  const files: UploadedFile[] = [];
  for (const value of Object.values((body ?? {}) as Record<string, unknown>)) {
    for (const part of Array.isArray(value) ? value : [value]) {
      const file = part as {
        type?: string;
        filename?: string;
        _buf?: Buffer | null;
        file?: { truncated?: boolean };
      };
      if (file?.type !== 'file') continue;
      // A file input left empty still sends a part with no name and no bytes.
      if (!file.filename && !file._buf?.length) continue;
      files.push({
        filename: file.filename ?? '',
        data: file._buf ?? Buffer.alloc(0),
        truncated: Boolean(file.file?.truncated),
      });
    }
  }
  return files;
}

/**
 * Registers an API upload to one record (POST `path`, with `:id`; `route` from apiRoute gives
 * who may call it and its summary): multipart/form-data only, else 415, answered 201 with
 * what `add` stored, each described by `item`.
 */
export function uploadRoute(
  app: App,
  path: string,
  route: { schema: FastifySchema; config: FastifyContextConfig },
  item: TSchema,
  add: (actor: Actor, id: string, files: UploadedFile[]) => Promise<unknown[]>,
) {
  app.post(
    path,
    {
      ...route,
      schema: {
        ...route.schema,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: Type.Object({ items: Type.Array(item) }) },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart())
        throw new AppError(415, 'unsupported_media_type', 'Send the files as multipart/form-data');
      const items = await add(request.actor(), request.params.id, uploadedFiles(request.body));
      return reply.code(201).send({ items });
    },
  );
}

/**
 * The plain fields of a multipart body (`attachFieldsToBody`) as a form body would have them:
 * `{ name: value }`, or an array for a repeated name (checkboxes). File parts are left out.
 */
export function multipartFields(body: unknown): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    const values = (Array.isArray(value) ? value : [value])
      .filter((part: { type?: string }) => part?.type === 'field')
      .map((part: { value?: unknown }) => (typeof part.value === 'string' ? part.value : ''));
    if (values.length === 1) fields[name] = values[0]!;
    else if (values.length > 1) fields[name] = values;
  }
  return fields;
}

/** Sends an attachment as a download only: never rendered, sniffed, cached or scripted. */
export function sendAttachment(
  reply: FastifyReply,
  file: { filename: string; contentType: string; data: Buffer },
) {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', contentDisposition(file.filename))
    .header('content-security-policy', 'sandbox')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(file.data);
}

/** The JSON API (docs/rules/api.md) and the casework pages. Registered explicitly in app.ts. */
