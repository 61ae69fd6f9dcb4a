import type { ContactInput, ContactSuggestion } from '../contacts/gateway.js';
import type { Actor } from '../platform/audit.js';
import { viewerOf, type CaseContext } from './context.js';
import { londonDate } from './due.js';
import type { CaseFilters, CaseSort } from './repository.js';
import type { CaseCounts, CaseSummary, ListPage, NewCaseInput, StaffRef } from './types.js';
import { checkFilters, listReadAudit, MAX_PAGE, newCaseProblems } from './validation.js';
import { OPEN_STATUSES } from './workflow.js';

/** The triage queue: lists, counts, export, search by reference, form choices. */
export function createQueueReads(ctx: CaseContext) {
  const { db, deps, repo, audit, clock, reuse, stampFor, queueDates, today, toSummary, contacts } =
    ctx;

  return {
    /** London dates for the queue (today, end of "due soon"). */
    queueDates,

    /** The injected clock's now, for pages that default a date to today. */
    now: () => clock.now(),

    /** The field problems `createCase` would refuse, without creating anything. */
    validateNewCase: (input: NewCaseInput) => newCaseProblems(input, clock.now()),

    /**
     * One keyset page of the filtered queue (restricted cases the actor may not see are
     * filtered in SQL). Search ranks by `ts_rank_cd` unless another sort is asked for.
     */
    async list(
      actor: Actor,
      filters: CaseFilters,
      page: ListPage = {},
    ): Promise<{ items: CaseSummary[]; nextCursor: string | null; total: number }> {
      filters = checkFilters(filters);
      const dates = await queueDates();
      const sort = page.sort ?? (filters.q?.trim() ? 'relevance' : 'due');
      const limit = Math.min(Math.max(page.limit ?? 50, 1), MAX_PAGE);
      const viewer = viewerOf(actor);
      const numbered = page.cursor ? undefined : page.page;
      const key = `list|${viewer.role}|${viewer.id}|${dates.today}|${sort}|${limit}|${page.cursor ?? ''}|${numbered ?? ''}|${JSON.stringify(filters)}`;
      const answer = await reuse(
        key,
        async () => {
          const [{ rows, nextCursor }, total] = await Promise.all([
            repo.list(db, viewer, filters, dates, {
              sort,
              limit,
              cursor: page.cursor,
              offset: numbered && numbered > 1 ? (numbered - 1) * limit : undefined,
            }),
            repo.listTotal(db, viewer, filters, dates),
          ]);
          return { items: rows.map((row) => toSummary(row, dates.today)), nextCursor, total };
        },
        actor,
        listReadAudit(filters),
      );
      return answer;
    },

    /**
     * Every case of a filtered list, in order, for export: batches of keyset pages. The
     * export itself is audited once, with the filters as its justification.
     */
    async *exportRows(
      actor: Actor,
      filters: CaseFilters,
      sort?: CaseSort,
    ): AsyncGenerator<CaseSummary & { workingDaysTaken: number | null; onTime: boolean | null }> {
      filters = checkFilters(filters);
      const dates = await queueDates();
      // Working days taken, on the calendar the deadlines use (holidays as stored now).
      const { cals } = await deps.calendar.current();
      const workingDaysBetween = (from: string, to: string) =>
        Math.max(0, cals.england_wales.workingDaysBetween(from, to));
      await audit.recordRead(actor, {
        action: 'case.export',
        subjectType: 'case',
        justification: JSON.stringify(filters).slice(0, 1000),
      });
      let cursor: string | undefined;
      const chosen = sort ?? (filters.q?.trim() ? 'relevance' : 'due');
      do {
        const page = await repo.list(db, viewerOf(actor), filters, dates, {
          sort: chosen,
          limit: 500,
          cursor,
        });
        for (const row of page.rows) {
          const summary = toSummary(row, dates.today);
          const end =
            summary.respondedOn ?? (OPEN_STATUSES.includes(summary.status) ? dates.today : null);
          yield {
            ...summary,
            workingDaysTaken: end ? workingDaysBetween(summary.receivedOn, end) : null,
            onTime:
              summary.respondedOn && summary.dueDate
                ? summary.respondedOn <= summary.dueDate
                : summary.overdue
                  ? false
                  : null,
          };
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },

    /** Counts for each triage view, for the navigation. */
    async counts(actor: Actor): Promise<CaseCounts> {
      const viewer = viewerOf(actor);
      const dates = await queueDates();
      return reuse(
        `counts|${viewer.role}|${viewer.id}|${dates.today}`,
        () => repo.counts(db, viewer, dates),
        actor,
      );
    },

    /**
     * The `cases` change stamp, for pages that reuse their HTML while it stands. Given the
     * filters of a queue read, the read is audited with it (as `list` audits its own).
     */
    changeStamp: (actor: Actor, listRead?: CaseFilters) =>
      stampFor(actor, listRead && listReadAudit(listRead)),

    /** Today in London. */
    today,

    /** Open cases nobody holds yet, of those this person may see: the navigation badge. */
    async unassignedCount(actor: Actor): Promise<number> {
      const viewer = viewerOf(actor);
      return reuse(
        `unassigned|${viewer.role}|${viewer.id}`,
        () => repo.unassignedOpenCount(db, viewer),
        actor,
      );
    },

    /** A visible case's id by its reference ("typing a reference opens the case"). */
    async findIdByReference(actor: Actor, reference: string): Promise<string | undefined> {
      if (!/^OPCC-\d{4}-\d{5,}$/i.test(reference.trim())) return undefined;
      return (await repo.findVisibleByReference(db, viewerOf(actor), reference))?.id;
    },

    /** Likely duplicate contacts for staff entry (never used on the public form). */
    /** "Find an existing contact" on the new-case form (the contacts domain's search). */
    findContacts: (actor: Actor, q: string) => contacts.find(actor, q),
    /** The contact chosen on the new-case form, to show whom the case will be from. */
    chosenContact: (id: string) => contacts.view(id),

    async suggestContacts(input: ContactInput): Promise<ContactSuggestion[]> {
      return contacts.suggest(input);
    },

    /**
     * The likely duplicates staff must choose between before a new case is recorded, or
     * undefined when the linking rule can decide: name and postcode matches are only ever
     * suggested, and so are ambiguous email or phone matches.
     */
    async contactChoiceNeeded(input: ContactInput): Promise<ContactSuggestion[] | undefined> {
      const suggestions = await contacts.suggest(input);
      const byReason = (reason: string) => suggestions.filter((s) => s.reason === reason).length;
      return byReason('name_postcode') > 0 || byReason('email') > 1 || byReason('phone') > 1
        ? suggestions
        : undefined;
    },

    /**
     * When a letter typed in by staff arrived: a letter dated today with no time given
     * arrived "now" (the form's midday would be in the future in the morning).
     */
    arrivalOf(receivedAt: Date, timeGiven: boolean): Date {
      const now = clock.now();
      return !timeGiven && receivedAt > now && londonDate(receivedAt) === londonDate(now)
        ? now
        : receivedAt;
    },

    /** Choices for forms: who can hold cases, and the topics active today. */
    async options(): Promise<{
      staff: Array<StaffRef & { role: string }>;
      topics: Array<{ slug: string; label: string }>;
    }> {
      const today = ctx.today();
      return reuse(`options|${today}`, async () => {
        const [staff, topics] = await Promise.all([
          repo.assignableStaff(db),
          repo.topics(db, today),
        ]);
        return { staff, topics };
      });
    },
  };
}
