import type { Db } from '../../db/client.js';
import type { AttachmentScanService } from '../attachments/scan.js';
import type { CaseGateway } from '../correspondence/gateway.js';
import type { Clock } from '../lib/clock.js';
import type { AuditLog } from '../platform/audit.js';
import { createDisclosureRepository, type DisclosureRepository } from './repository.js';

/** What the disclosure log is built from (app.ts). */
export interface DisclosureDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  repo?: DisclosureRepository;
  /** Holds new documents for clamd (security §5); absent, they are `not_scanned`. */
  attachmentScan?: AttachmentScanService;
  /** Cases, through correspondence's public entry point. */
  cases: CaseGateway;
}

export type DisclosureContext = DisclosureDeps & { repo: DisclosureRepository };

export const createDisclosureContext = (deps: DisclosureDeps): DisclosureContext => ({
  ...deps,
  repo: deps.repo ?? createDisclosureRepository(),
});
