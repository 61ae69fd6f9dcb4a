/**
 * The clock's adapter contract: a second subject type that is not a case, with its own
 * regime, gets timers, a due-date callback, warnings sent once in working hours and
 * rebuilds on a holiday change, with no correspondence code involved (no case exists in
 * this file's database). The fake domain keeps its records in memory; its adapter is all
 * the clock knows of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  ClockSubject,
  ClockTimelineEntry,
  SubjectAdapter,
} from '../../server/deadlines/adapter.js';
import type { Regime, RegimeComputation, RegimeResult } from '../../server/deadlines/regimes.js';
import { buildCalendars } from '../../server/lib/calendar.js';
import { systemActor } from '../../server/platform/audit.js';
import { useTestApp } from '../helpers/fixture.js';
import { type TestUser } from '../helpers/auth.js';

/**
 * A survey closes 10 England and Wales working days after it opens (a made-up regime). Its
 * subject type is its own name (not a case type): the clock's types take its computation
 * without a cast. Its deadline's name is its own too: the clock has no names for kinds.
 */
const surveyRegime: Regime = {
  id: 'survey_close',
  eventKinds: [],
  validateEvent: () => [],
  kindLabels: { respond: 'Response target' },
  compute(input): RegimeComputation {
    const cal = buildCalendars(input.holidays).england_wales;
    const due = cal.addWorkingDays(input.receivedOn, 10);
    const skipped = cal.nonWorkingDaysBetween(input.receivedOn, due);
    const closed = input.events.find((e) => e.kind === 'closed');
    const result: RegimeResult = {
      kind: 'respond',
      calendar: 'england_wales',
      rule: 'Survey closes after 10 working days',
      ruleVersion: 'survey-1',
      startRule: 'The day it opens is day 0',
      startDate: input.receivedOn,
      dueDate: due,
      baseDueDate: due,
      extendedDueDate: null,
      effectiveDueDate: due,
      skipped,
      roll: null,
      notes: [],
      extension: null,
      override: null,
      stopped: false,
      completedOn: closed ? String(closed.at) : null,
      coverageIncomplete: false,
    };
    return {
      type: 'survey_close',
      subtype: null,
      receivedOn: input.receivedOn,
      mainKind: 'respond',
      calendar: 'england_wales',
      dueDate: due,
      baseDueDate: due,
      extendedDueDate: null,
      effectiveDueDate: due,
      startRule: result.startRule,
      startDate: input.receivedOn,
      skipped,
      rollForward: null,
      ruleVersion: 'survey-1',
      coverageIncomplete: false,
      stopped: false,
      stoppedReason: null,
      stoppedSince: null,
      closePromptFrom: null,
      completed: closed !== undefined,
      respondedOn: null,
      closedOn: closed ? String(closed.at) : null,
      deadlines: [result],
    };
  },
};

interface Survey {
  id: string;
  title: string;
  opensOn: string;
  closedOn: string | null;
  ownerId: string | null;
  dueOn: string | null;
}

const surveys = new Map<string, Survey>();
const timeline: Array<{ id: string; entry: ClockTimelineEntry }> = [];
const dueChanges: Array<{ id: string; due: string | null }> = [];

const subjectOf = (s: Survey): ClockSubject => ({
  type: 'survey',
  id: s.id,
  regime: 'survey_close',
  variant: null,
  receivedOn: s.opensOn,
  open: s.closedOn === null,
  respondedOn: null,
  closedOn: s.closedOn,
  metKinds: [],
  dueOn: s.dueOn,
  assigneeId: s.ownerId,
  personId: null,
  reference: s.title,
  typeLabel: 'SURVEY',
  noun: 'survey',
  path: `/surveys/${s.id}`,
  status: s.closedOn ? 'closed' : 'open',
});

const surveyAdapter: SubjectAdapter = {
  type: 'survey',
  noun: 'survey',
  load: async (_db, id) => (surveys.has(id) ? subjectOf(surveys.get(id)!) : undefined),
  lock: async (_tx, id) => (surveys.has(id) ? subjectOf(surveys.get(id)!) : undefined),
  openAmong: async (_db, ids) =>
    new Map(
      ids.flatMap((id) => {
        const s = surveys.get(id);
        return s && !s.closedOn ? [[id, subjectOf(s)] as const] : [];
      }),
    ),
  assignedTo: async (_db, userId) =>
    [...surveys.values()].filter((s) => s.ownerId === userId && !s.closedOn).map((s) => s.id),
  onDueChange: async (_tx, id, due) => {
    dueChanges.push({ id, due });
    surveys.get(id)!.dueOn = due;
  },
  timeline: async (_tx, id, entry) => {
    timeline.push({ id, entry });
  },
};

const t = useTestApp({ now: '2026-12-01T10:00:00Z' });
let owner: TestUser;
const OPEN = '11111111-1111-4111-8111-111111111111';
const CLOSED = '22222222-2222-4222-8222-222222222222';

beforeAll(async () => {
  owner = await t.user('caseworker');
  t.app.services.deadlines.regimes.register(surveyRegime);
  t.app.services.deadlines.registerAdapter(surveyAdapter);
  surveys.set(OPEN, {
    id: OPEN,
    title: 'Police and Crime Plan survey',
    opensOn: '2026-12-16',
    closedOn: null,
    ownerId: owner.id,
    dueOn: null,
  });
  surveys.set(CLOSED, {
    id: CLOSED,
    title: 'Closed survey',
    opensOn: '2026-12-16',
    closedOn: null,
    ownerId: owner.id,
    dueOn: null,
  });
});

const timers = (id: string) =>
  t.db
    .sql`select subject_type, kind, due_on::text as due_on, generation, superseded_at is null as live
    from case_deadlines where subject_id = ${id} order by created_at, live`;

describe('a subject type that is not a case', () => {
  it('gets stored timers from its own regime and its adapter is told the due date', async () => {
    const { deadlines } = t.app.services;
    const view = await t.db.db.transaction((tx) => deadlines.recompute(tx, 'survey', OPEN));
    // 16 Dec + 10 E&W working days, skipping Christmas Day, Boxing Day (Mon 28) and 1 Jan.
    expect(view.dueDate).toBe('2027-01-04');
    expect(await timers(OPEN)).toEqual([
      { subject_type: 'survey', kind: 'respond', due_on: '2027-01-04', generation: 1, live: true },
    ]);
    expect(dueChanges).toContainEqual({ id: OPEN, due: '2027-01-04' });
    await t.db.db.transaction((tx) => deadlines.recompute(tx, 'survey', CLOSED));
    const [row] = await t.db.sql`select count(*)::int as n from cases`;
    expect(row!.n).toBe(0);
  });

  it('is rebuilt when a holiday is added, with a timeline entry and an email, unless closed', async () => {
    const { deadlines } = t.app.services;
    surveys.get(CLOSED)!.closedOn = '2026-12-17';
    await deadlines.addHoliday(systemActor(), {
      division: 'england-and-wales',
      date: '2026-12-22',
      title: 'Proclaimed day',
    });
    const result = await deadlines.rebuild();
    expect(result).toEqual({ cases: 1, moved: 1 });
    expect((await timers(OPEN)).filter((r) => r.live)).toEqual([
      { subject_type: 'survey', kind: 'respond', due_on: '2027-01-05', generation: 1, live: true },
    ]);
    expect((await timers(CLOSED)).filter((r) => r.live)).toMatchObject([{ due_on: '2027-01-04' }]);
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({
      id: OPEN,
      entry: {
        kind: 'deadline_moved',
        data: {
          title: 'Due date moved',
          description:
            'Due date moved from Mon 4 Jan to Tue 5 Jan 2027: 22 Dec (England and Wales) added',
        },
      },
    });
    expect(surveys.get(OPEN)!.dueOn).toBe('2027-01-05');
    const [email] = await t.db.sql`select "to", subject, text_body as text from email_messages
      where subject_type = 'survey' and subject_ref = ${OPEN}`;
    expect(email).toMatchObject({
      to: owner.email,
      subject: '[Police and Crime Plan survey] Due date moved',
    });
    expect(email!.text).toContain('a deadline on survey Police and Crime Plan survey moved');
    expect(email!.text).toContain(`/surveys/${OPEN}`);
  });

  it('gets each warning stage once, in working hours, on its owner’s panel too', async () => {
    const { deadlines } = t.app.services;
    // Tue 5 Jan 2027, 10:00 GMT: due today.
    t.clock.set(new Date('2027-01-05T10:00:00Z'));
    const scan = await deadlines.scan();
    expect(scan.inHours).toBe(true);
    expect(scan.toSend).toHaveLength(1);
    expect(await deadlines.notify(scan.toSend[0]!)).toBe('sent');
    expect(await deadlines.notify(scan.toSend[0]!)).toBe('noop');
    const again = await deadlines.scan();
    expect(again.inserted).toBe(0);
    expect(again.toSend).toEqual([]);
    const sent = await t.db
      .sql`select n.subject_type, n.stage, n.status, e.subject, e.text_body as text
      from deadline_notifications n join email_messages e on e.id = n.email_id`;
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      subject_type: 'survey',
      stage: 'due_today',
      status: 'sent',
      subject: '[Police and Crime Plan survey] Due today: Response target',
    });
    expect(sent[0]!.text).toContain(
      'Survey Police and Crime Plan survey (SURVEY): the response target is due today',
    );
    const panel = await deadlines.myWarnings({ id: owner.id, role: 'caseworker', requestId: null });
    expect(panel).toMatchObject([{ caseId: OPEN, path: `/surveys/${OPEN}`, stage: 'due_today' }]);
  });

  it('is warned about no more once its domain closes it', async () => {
    const { deadlines } = t.app.services;
    surveys.get(OPEN)!.closedOn = '2027-01-05';
    t.clock.set(new Date('2027-01-06T10:00:00Z'));
    const scan = await deadlines.scan();
    expect(scan.toSend).toEqual([]);
  });
});
