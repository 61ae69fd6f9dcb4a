import type { FastifyInstance } from 'fastify';
import type { ComplaintsService } from './service.js';

/** The complaints statistics page under /stats, its CSV tables and force figures. */
export async function statsRoutes(
  _app: FastifyInstance,
  _opts: { complaints: ComplaintsService },
) {}
