import type { Scenario } from '../lib/types.js';

/** The denominator: bare Fastify, run first and last in every run. */
const hello: Scenario = {
  name: 'hello',
  description: 'GET / on bare fastify({ logger: false }) (bench/hello.ts): the ratio denominator',
  target: 'hello',
  order: 0,
  gate: {},
  request: () => ({ method: 'GET', path: '/' }),
};

export default hello;
