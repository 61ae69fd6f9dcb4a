import type { Db } from '../../db/client.js';
import type { CaseGateway } from '../correspondence/gateway.js';
import type { Clock } from '../lib/clock.js';
import type { MailService } from '../mail/service.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { createRepliesRepository, type RepliesRepository } from './repository.js';

/** What replies are built from (app.ts): cases reach it through correspondence's gateway. */
export interface RepliesDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  mail: MailService;
  cases: CaseGateway;
  mailDomain: string;
  /** The polled mailbox (§6): From and Reply-To of every email reply. */
  mailbox: { address: string; from: string };
  officeName: string;
  officeAddress: string;
  repo?: RepliesRepository;
}

/** The deps each part of the service shares, with the repository made. */
export type RepliesContext = RepliesDeps & { repo: RepliesRepository };

export const createRepliesContext = (deps: RepliesDeps): RepliesContext => ({
  ...deps,
  repo: deps.repo ?? createRepliesRepository(),
});

export const viewerOf = (actor: Actor) => ({ id: actor.id, role: actor.role });
