import { toContactView } from '../contacts/gateway.js';
import { SCAN_STATES } from '../attachments/scan.js';
import type { Actor } from '../platform/audit.js';
import { iso, viewerOf, type CaseContext } from './context.js';
import { caseSubject } from './clock-adapter.js';
import { caseNotFound } from './errors.js';
import { readTimeline } from '../timeline/timeline.js';
import { unmetAcknowledgements } from './missed.js';
import type { DeadlineDetail } from '../deadlines/types.js';
import { describeEvent, oneEntryPerEmail } from './timeline-wording.js';
import type { CaseDetail, MoveView, NoteView } from './types.js';
import { movesFor, type CaseType, type Move } from './workflow.js';
import { isUuid } from '../lib/uuid.js';

/** One case as the case page and the API show it: reused under the change stamp, read audited. */
export function createCaseView(ctx: CaseContext) {
  const { db, repo, audit, deps, reuse, queueDates, toSummary } = ctx;
  function moveView(move: Move, type: CaseType): MoveView {
    return {
      to: move.to,
      label: move.label,
      managerOnly: move.managerOnly ?? false,
      requires: [...move.requires],
      reasons: [...(move.reasons ?? [])],
      outcomes: [...(move.outcomes?.(type) ?? [])],
    };
  }
  return {
    /** One case with its contact, deadline, notes and timeline. The read is audited. */
    async get(actor: Actor, id: string): Promise<CaseDetail> {
      const viewer = viewerOf(actor);
      const { today } = await queueDates();
      // Reused while no case changes (change stamp): the role decides the moves offered,
      // the viewer what is visible, the date what is overdue.
      const key = `case|${viewer.role}|${viewer.id}|${actor.role}|${today}|${id}`;
      const detail = await reuse(
        key,
        async (): Promise<CaseDetail> => {
          if (!isUuid(id)) throw caseNotFound();
          // Every read at once, each a prepared statement (one round trip): the case and its
          // parties (which decides whether the viewer may see it at all), its timeline,
          // notes, stored deadlines and attachments. Nothing of an invisible case is shown.
          const reading = repo.findVisibleWithParties(db, viewerOf(actor), id);
          const [head, events, noteRows, deadline, files] = await Promise.all([
            reading,
            readTimeline(db, id),
            repo.notes(db, id),
            deps.deadlines.forSubject(
              db,
              'case',
              id,
              reading.then((found) => found && caseSubject(found.case)),
            ),
            repo.attachments(db, id),
          ]);
          if (!head) throw caseNotFound();
          const { case: row, contact, onBehalfOf } = head;
          const assignee = head.assigneeName === null ? undefined : { name: head.assigneeName };
          // The acknowledgement targets as the clock stored them, while nobody has acknowledged.
          const acks = unmetAcknowledgements(
            row.acknowledgedAt,
            (deadline as { deadlines?: DeadlineDetail[] } | undefined)?.deadlines ?? [],
          );
          const summary = toSummary(row, today, assignee?.name, acks);
          // How late, in working days from the one calendar service (the page says it).
          const { cals } = await deps.calendar.current();
          summary.missed = summary.missed.map((m) => ({
            ...m,
            workingDaysLate: cals.england_wales.workingDaysBetween(m.dueDate, today),
          }));
          const notes: NoteView[] = noteRows.map((note) => ({
            id: note.id,
            body: note.redactedAt ? '' : note.body,
            createdAt: note.createdAt.toISOString(),
            author: note.authorId
              ? { id: note.authorId, name: note.authorName ?? 'Unknown' }
              : null,
            redacted: note.redactedAt !== null,
          }));
          const noteMap = new Map(notes.map((note) => [note.id, note]));
          return {
            ...summary,
            contactName: contact?.name ?? null,
            subtype: row.subtype,
            body: row.body,
            tags: row.tags,
            flags: row.flags,
            acknowledgedAt: iso(row.acknowledgedAt),
            respondedAt: iso(row.respondedAt),
            contact: contact ? toContactView(contact) : null,
            onBehalfOf: onBehalfOf ? toContactView(onBehalfOf) : null,
            sourceType: row.sourceType,
            deadline: { ...deadline!, dueDate: row.nextDueOn },
            timeline: oneEntryPerEmail(events).map((event) => ({
              id: event.id,
              at: event.at.toISOString(),
              kind: event.kind,
              actor: event.actorId
                ? { id: event.actorId, name: event.actorName ?? 'Unknown' }
                : null,
              ...describeEvent(event.kind, event.data, noteMap, deps.timelineWording),
              data: event.data,
            })),
            notes,
            attachments: files.map((file) => ({
              id: file.id,
              filename: file.filename,
              contentType: file.contentType,
              size: file.size,
              uploadedAt: file.uploadedAt.toISOString(),
              uploadedBy: file.uploadedById
                ? { id: file.uploadedById, name: file.uploadedByName ?? 'Unknown' }
                : null,
              scanStatus: file.scanStatus,
              downloadable: SCAN_STATES[file.scanStatus].downloadable,
            })),
            allowedMoves: movesFor(row.type, row.status, actor.role).map((move) =>
              moveView(move, row.type),
            ),
          };
        },
        actor,
      );
      await audit.recordRead(actor, {
        action: 'case.view',
        subjectType: 'case',
        subjectId: detail.id,
        personId: detail.contact?.id ?? null,
      });
      return detail;
    },
  };
}
