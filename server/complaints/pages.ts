import type { FastifyInstance } from 'fastify';
import type { ComplaintsService } from './service.js';

/** The complaint pages (GOV.UK and MoJ patterns); see views/. */
export async function complaintPages(
  _app: FastifyInstance,
  _opts: { complaints: ComplaintsService },
) {}
