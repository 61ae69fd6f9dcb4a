/**
 * The baseline: bare Fastify, the shape of fastify/benchmarks `benchmarks/fastify.cjs`.
 * Run as its own process; listens on a free port and prints `{"port":…,"pid":…}` on stdout.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });

const schema = {
  schema: {
    response: {
      200: { type: 'object', properties: { hello: { type: 'string' } } },
    },
  },
};

app.get('/', schema, (_request, reply) => {
  void reply.send({ hello: 'world' });
});

const host = process.argv[2] ?? '127.0.0.1';
await app.listen({ port: 0, host });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(`${JSON.stringify({ ready: true, port, pid: process.pid })}\n`);

const stop = () => {
  void app.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
