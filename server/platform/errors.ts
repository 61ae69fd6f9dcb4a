import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../../db/errors.js';

export type FieldErrors = Record<string, string>;

/**
 * The one error type services throw. `code` is stable ('surgeries.slot_full'); the
 * route layer turns it into the API error shape or a GOV.UK error page.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
  }
}

/**
 * A domain's fixed errors (same status, code, message and field messages every time) from
 * one table: each entry becomes a factory, so every throw gets a fresh error with its own
 * stack and its own copy of the field messages.
 */
export function fixedErrors<K extends string>(
  table: Record<
    K,
    readonly [statusCode: number, code: string, message: string, fields?: FieldErrors]
  >,
): Record<K, () => AppError> {
  const out = {} as Record<K, () => AppError>;
  for (const name of Object.keys(table) as K[]) {
    const [statusCode, code, message, fields] = table[name];
    out[name] = () => new AppError(statusCode, code, message, fields && { ...fields });
  }
  return out;
}

export const notFound = (what = 'Not found') => new AppError(404, 'not_found', what);
export const forbidden = (what = 'You do not have access to this') =>
  new AppError(403, 'forbidden', what);
export const validationError = (fields: FieldErrors, message = 'Check the highlighted fields') =>
  new AppError(400, 'validation', message, fields);

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Ajv errors into field-level messages a person can act on. */
export function fieldsFromValidation(errors: AjvError[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const error of errors) {
    const base = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    let field = base || '_';
    let message = error.message ?? 'is not valid';
    switch (error.keyword) {
      case 'required':
        field = [base, String(error.params.missingProperty)].filter(Boolean).join('.');
        message = 'is required';
        break;
      case 'additionalProperties':
        field = [base, String(error.params.additionalProperty)].filter(Boolean).join('.');
        message = 'is not an allowed field';
        break;
      case 'maxLength':
        message = `must be ${String(error.params.limit)} characters or fewer`;
        break;
      case 'minLength':
        message =
          Number(error.params.limit) === 1
            ? 'must not be empty'
            : `must be at least ${String(error.params.limit)} characters`;
        break;
      case 'enum':
        message = `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}`;
        break;
      case 'format':
        message = `must be a valid ${String(error.params.format)}`;
        break;
      default:
        break;
    }
    fields[field] ??= message;
  }
  return fields;
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/api';
}

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldErrors; requestId: string };
}

/**
 * A dependency that may answer again soon (the database, the queue), or the request's own
 * deadline: 503, never 500. Nothing half-done is kept: a transaction that did not commit
 * rolled back, and a retry with the same idempotency key is safe.
 */
function isUnavailable(error: FastifyError): boolean {
  if (error.code === 'FST_ERR_HANDLER_TIMEOUT') return true;
  if (isDatabaseUnavailable(error)) return true;
  // ioredis producers fail fast while Redis is down (enableOfflineQueue: false).
  return /enableOfflineQueue|Connection is closed|ECONNREFUSED/.test(error.message ?? '');
}

function classify(error: FastifyError & { fields?: FieldErrors }): {
  status: number;
  code: string;
  message: string;
  fields?: FieldErrors;
} {
  if (error instanceof AppError) {
    return {
      status: error.statusCode,
      code: error.code,
      message: error.message,
      fields: error.fields,
    };
  }
  if (error.validation) {
    return {
      status: 400,
      code: 'validation',
      message: 'The request is not valid',
      fields: fieldsFromValidation(error.validation),
    };
  }
  const status = error.statusCode ?? 500;
  if (isUnavailable(error)) {
    return {
      status: 503,
      code: 'unavailable',
      message: 'The service is busy or restarting. Try again in a moment.',
    };
  }
  if (status >= 500) {
    return {
      status: 500,
      code: 'internal',
      message: 'Something went wrong. Quote the request id if you contact support.',
    };
  }
  const known: Record<string, [string, string]> = {
    FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 'The body is not valid JSON'],
    FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_json', 'The body is empty'],
    FST_ERR_CTP_BODY_TOO_LARGE: ['too_large', 'The request is too large'],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'Unsupported content type'],
    FST_CSRF_MISSING_SECRET: [
      'csrf',
      'The form has expired. Go back, reload the page and try again.',
    ],
    FST_CSRF_INVALID_TOKEN: [
      'csrf',
      'The form has expired. Go back, reload the page and try again.',
    ],
  };
  const mapped = known[error.code];
  if (error.code?.startsWith('FST_CSRF')) {
    return { status: 403, code: 'csrf', message: mapped?.[1] ?? 'Invalid or missing CSRF token' };
  }
  if (status === 429)
    return { status, code: 'rate_limited', message: 'Too many requests. Try again later.' };
  return { status, code: mapped?.[0] ?? 'bad_request', message: mapped?.[1] ?? error.message };
}

declare module 'fastify' {
  interface FastifyReply {
    /** Set by the views plugin; renders an error page for a browser. */
    errorPage?: (status: number, title: string, message: string) => FastifyReply;
  }
}

/** Where a URL that cannot be percent-decoded is sent, so the app's own handler answers it. */
const BAD_URL_PATH = '/_bad-url';

/**
 * The server's `rewriteUrl`: a path that cannot be percent-decoded (`/casework/%E0%A4%A`)
 * would make the router answer with Fastify's own body, skipping every hook (no request id,
 * no security headers). It is routed instead to a route that refuses it the app's way.
 */
export function rewriteBadUrl(req: { url?: string }): string {
  const url = req.url ?? '/';
  const path = url.split('?', 1)[0]!;
  try {
    decodeURIComponent(path);
    return url;
  } catch {
    return path.startsWith('/api/') ? `/api${BAD_URL_PATH}` : BAD_URL_PATH;
  }
}

export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    for (const url of [BAD_URL_PATH, `/api${BAD_URL_PATH}`]) {
      app.all(url, { config: { public: true }, schema: { hide: true } }, async () => {
        throw new AppError(400, 'bad_url', 'The web address is not valid. Check it and try again.');
      });
    }
    app.setErrorHandler(
      async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
        const { status, code, message, fields } = classify(error);
        // Read by the security events' onResponse hook (CSRF refusals, rate limits).
        (request as { errorCode?: string }).errorCode = code;
        if (status === 503) request.log.warn({ err: error }, 'unavailable');
        else if (status >= 500) request.log.error({ err: error }, 'unhandled error');
        else request.log.info({ code, status }, 'request refused');
        if (!isApiRequest(request) && reply.errorPage && request.method !== 'HEAD') {
          return reply.errorPage(
            status,
            status === 404
              ? 'Page not found'
              : status === 503
                ? 'Sorry, the service is unavailable'
                : status >= 500
                  ? 'Sorry, there is a problem with the service'
                  : 'There is a problem',
            message,
          );
        }
        const body: ErrorBody = {
          error: { code, message, ...(fields ? { fields } : {}), requestId: request.id },
        };
        return reply.code(status).send(body);
      },
    );
    app.setNotFoundHandler(async (request, reply) => {
      if (!isApiRequest(request) && reply.errorPage) {
        return reply.errorPage(
          404,
          'Page not found',
          'If you typed the web address, check it is correct.',
        );
      }
      return reply
        .code(404)
        .send({ error: { code: 'not_found', message: 'Not found', requestId: request.id } });
    });
  },
  { name: 'errors' },
);
