/**
 * The complaints domain, built once from its dependencies (app.ts passes the contacts
 * linking rule and the mail ledger as plain functions, and correspondence's case gateway).
 * Each part holds one responsibility: records, detail, transitions, letters, reminders,
 * retention, stats.
 */
import type { Db, DbOrTx } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { AuditLog } from '../platform/audit.js';
import { createAdminRepository } from './admin-repository.js';
import { createAdminService } from './admin.js';
import { createDetailService } from './detail.js';
import { createEqualityGrantsService } from './equality-grants.js';
import { createJustifiedReadsService } from './justified-reads.js';
import { createLettersService } from './letters.js';
import { createMonitoringService } from './monitoring.js';
import { COMPLAINT_SUBJECT, createComplaintClockAdapter } from './clock-adapter.js';
import type { CaseGateway } from '../correspondence/gateway.js';
import {
  casesThroughGateway,
  type ComplaintClock,
  type ComplaintTimers,
  type ContactPort,
  type MailPort,
} from './ports.js';
import { complaintRegime } from './regime.js';
import { createRecordsService } from './records.js';
import { createReferenceDataService } from './reference-data.js';
import { createRemindersService } from './reminders.js';
import { createComplaintsRepository } from './repository.js';
import { createRetentionService } from './retention.js';
import { createComplaintStatsService } from './stats.js';
import { createTransitionsService } from './transitions.js';

export function createComplaintsService(input: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  mail: MailPort;
  contacts: ContactPort;
  /** Correspondence's gateway: a complaint opened from a case reads it there. */
  cases: Pick<CaseGateway, 'get'>;
  /** The shared clock: complaint timers and reminders run on it (clock-adapter.ts). */
  deadlines: ComplaintClock;
  publicUrl: string;
  officeName: string;
  mailDomain: string;
}) {
  const repo = createComplaintsRepository();
  const { deadlines } = input;
  deadlines.regimes.register(complaintRegime);
  deadlines.registerAdapter(createComplaintClockAdapter(repo));
  const timers: ComplaintTimers = {
    async recompute(tx, row) {
      await deadlines.recompute(tx, COMPLAINT_SUBJECT, row.id);
    },
  };
  const calendar = async (tx: DbOrTx) => {
    const loaded = await deadlines.calendar.load(tx);
    return { version: loaded.version, calendar: loaded.cals.england_wales };
  };
  const deps = { ...input, cases: casesThroughGateway(input.cases), repo, timers, calendar };
  const records = createRecordsService(deps);
  const transitions = createTransitionsService(deps, records);
  const adminDeps = { ...deps, admin: createAdminRepository() };
  return {
    records,
    detail: createDetailService(deps, records),
    transitions,
    letters: createLettersService(deps, records),
    reminders: createRemindersService(deps, transitions),
    retention: createRetentionService(deps),
    referenceData: createReferenceDataService(deps),
    stats: createComplaintStatsService(deps),
    monitoring: createMonitoringService(deps),
    justifiedReads: createJustifiedReadsService(adminDeps),
    equalityGrants: createEqualityGrantsService(adminDeps, records),
    admin: createAdminService(adminDeps, records),
  };
}
export type ComplaintsService = ReturnType<typeof createComplaintsService>;
