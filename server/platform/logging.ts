import type { FastifyRequest, FastifyServerOptions } from 'fastify';

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** Where log lines go: stdout unless a caller (a test) passes a stream. */
export interface LogStream {
  write(line: string): void;
}

/**
 * What the server log may hold (security contract §7): the route pattern, never the raw URL
 * (search terms are names and email addresses), and never a failing query's SQL parameters.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.otp',
  '*.totp',
  '*.token',
  '*.email',
  '*.name',
  '*.phone',
];

/** The request as logged: its method and route pattern (`/contacts/:id`), never its query. */
export function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    route: request.routeOptions?.url ?? '(no route)',
    remoteAddress: request.ip,
  };
}

const STACK_FRAME = /^\s+at /;

type LoggedError = {
  type: string;
  message: string;
  code?: string;
  stack: string;
  cause?: LoggedError;
};

/**
 * An error as logged. Drizzle puts the SQL and its parameters in the message (and so the
 * stack), postgres.js puts row values in `detail`: only the type, code, a message with no
 * values and the stack frames are kept.
 */
export function errorForLog(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error))
    return { type: typeof error, message: 'non-error thrown', stack: '' };
  const record = error as Error & { code?: unknown; query?: unknown; params?: unknown };
  const isQuery = 'query' in record && 'params' in record;
  const isPostgres = record.name === 'PostgresError';
  const message = isQuery
    ? 'Failed query (SQL and parameters not logged)'
    : isPostgres
      ? `PostgreSQL error ${String(record.code)}`
      : record.message;
  const frames = (record.stack ?? '').split('\n').filter((line) => STACK_FRAME.test(line));
  const logged: LoggedError = {
    type: record.constructor?.name ?? record.name,
    message,
    stack: [`${record.name}: ${message}`, ...frames].join('\n'),
  };
  if (typeof record.code === 'string') logged.code = record.code;
  if (record.cause !== undefined && depth < 3) logged.cause = errorForLog(record.cause, depth + 1);
  return logged;
}

export function loggerOptions(level: string, stream?: LogStream): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: requestForLog,
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
      err: (error: unknown) => ({ ...errorForLog(error) }),
    },
    ...(stream ? { stream } : {}),
  };
}
