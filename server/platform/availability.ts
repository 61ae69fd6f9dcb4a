import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from './errors.js';

/** Request deadlines (reliability contract §4): no request hangs on a slow dependency. */
export interface HandlerTimeouts {
  readMs: number;
  writeMs: number;
  /** Statistics, exports, uploads and downloads. */
  slowMs: number;
}

export const CONTRACT_HANDLER_TIMEOUTS: HandlerTimeouts = {
  readMs: 2_000,
  writeMs: 5_000,
  slowMs: 30_000,
};

/** Routes that legitimately take long: figures, exports, files in or out. */
const SLOW_ROUTE = /stats|export|csv|download|attachments|documents|upload|mailbox/;

export function handlerTimeoutFor(
  method: string | string[],
  url: string,
  timeouts: HandlerTimeouts,
): number {
  if (SLOW_ROUTE.test(url)) return timeouts.slowMs;
  const methods = Array.isArray(method) ? method : [method];
  return methods.every((m) => m === 'GET' || m === 'HEAD') ? timeouts.readMs : timeouts.writeMs;
}

export const unavailable = () =>
  new AppError(503, 'unavailable', 'The service is busy or restarting. Try again in a moment.');

/**
 * Every route gets a handler deadline (Fastify's handlerTimeout: a 503 in the API error
 * shape, and request.signal aborted). Once the server begins to close, new requests get the
 * same 503 while in-flight ones finish (Fastify's own closing 503 has another shape).
 */
export const availabilityPlugin = fp(
  async (app: FastifyInstance, opts: { timeouts?: Partial<HandlerTimeouts> }) => {
    const timeouts = { ...CONTRACT_HANDLER_TIMEOUTS, ...opts.timeouts };
    let closing = false;
    app.decorate('isClosing', () => closing);
    app.addHook('onRoute', (route) => {
      route.handlerTimeout ??= handlerTimeoutFor(route.method, route.url, timeouts);
    });
    app.addHook('preClose', (done) => {
      closing = true;
      done();
    });
    app.addHook('onRequest', (_request, reply, done) => {
      if (!closing) return done();
      reply.header('connection', 'close');
      done(unavailable());
    });
    // close() closes idle keep-alive connections only once, at its start: one whose request
    // was in flight then is idle a moment later and would hold the close until
    // keepAliveTimeout (72 s), past the 25 s shutdown grace. While closing, idle ones are
    // closed again every 100 ms (a request already sent on one is answered first).
    app.addHook('preClose', (done) => {
      const sweeper = setInterval(() => app.server.closeIdleConnections(), 100);
      sweeper.unref();
      const stop = () => clearInterval(sweeper);
      app.server.once('close', stop);
      setTimeout(stop, 30_000).unref();
      done();
    });
  },
  { name: 'availability', dependencies: ['errors'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    isClosing(): boolean;
  }
}
