/**
 * Who may see what on complaints, as pages: equality-data grants (admins), a complaint's
 * access list (caseworkers and managers on it: add, take off) and the weekly
 * justified-reads report (managers). GOV.UK patterns, no JavaScript needed; a refused form
 * comes back with the error summary and what was typed; forged ids get the not-found page.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { addDays, formatDayDate } from '../lib/dates.js';
import { ADMINS, CASEWORK, MANAGERS } from '../platform/auth.js';
import { noticePage, recordPage } from '../platform/views.js';
import { complaintErrors } from './errors.js';
import {
  formErrors,
  FormBody,
  IdParams,
  NoticeQuery,
  refusedForm,
  pageWithState,
  str,
  type PageState,
} from './page-forms.js';
import type { ComplaintsService } from './service.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const ROLE_LABELS: Record<string, string> = {
  assignee: 'Assignee',
  staff: 'Complaints staff',
  decision_maker: 'Decision-maker',
};

export async function complaintAccessPages(app: App, opts: { complaints: ComplaintsService }) {
  const c = opts.complaints;
  app.staffNav.push({
    href: '/complaints/justified-reads',
    text: 'Justified reads',
    roles: ['manager'],
  });

  /* ---- Equality-data grants ---- */

  async function renderGrants(reply: FastifyReply, extra: PageState = {}) {
    const [grants, staff] = await Promise.all([
      c.equalityGrants.list(reply.request.actor()),
      c.admin.staffList(),
    ]);
    return pageWithState(
      reply,
      'complaints/views/admin-equality.njk',
      {
        pageTitle: 'Access to individual equality answers',
        live: grants.filter((g) => g.live),
        past: grants.filter((g) => !g.live),
        staffList: staff,
      },
      extra,
    );
  }

  const GRANT_NOTICES: Record<string, string> = {
    granted: 'Access granted',
    ended: 'Access ended',
  };

  noticePage(
    app,
    '/admin/complaints/equality-access',
    { auth: ADMINS, notices: GRANT_NOTICES, query: NoticeQuery },
    (reply, notice) => renderGrants(reply, { notice }),
  );

  app.post(
    '/admin/complaints/equality-access',
    { ...pageRoute(ADMINS, { body: FormBody }), attachValidation: true },
    async (request, reply) => {
      const form = request.body ?? {};
      try {
        if (request.validationError)
          throw complaintErrors.invalid({ reason: 'The reason must be 2,000 characters or fewer' });
        await c.equalityGrants.grant(request.actor(), {
          userId: str(form, 'userId'),
          reason: str(form, 'reason'),
          until: str(form, 'until'),
        });
      } catch (error) {
        return renderGrants(reply, refusedForm(error, form));
      }
      return reply.redirect('/admin/complaints/equality-access?notice=granted', 303);
    },
  );

  app.post(
    '/admin/complaints/equality-access/:grantId/end',
    pageRoute(ADMINS, { params: Type.Object({ grantId: Type.String({ maxLength: 64 }) }) }),
    async (request, reply) => {
      await c.equalityGrants.revoke(request.actor(), request.params.grantId);
      return reply.redirect('/admin/complaints/equality-access?notice=ended', 303);
    },
  );

  /* ---- A complaint's access list (caseworkers and managers on it) ---- */

  async function renderAccess(
    request: { actor: () => import('../platform/audit.js').Actor },
    reply: FastifyReply,
    id: string,
    extra: PageState = {},
  ) {
    const actor = request.actor();
    const detail = await c.detail.get(actor, id);
    const [list, candidates] = await Promise.all([
      c.records.accessList(actor, id),
      c.admin.accessCandidates(actor, id),
    ]);
    return pageWithState(
      reply,
      'complaints/views/access.njk',
      {
        pageTitle: `Who can see ${detail.reference}`,
        c: detail,
        list: list.map((a) => ({
          ...a,
          roleLabel: ROLE_LABELS[a.role] ?? a.role,
          grantedAt: a.grantedAt.toISOString(),
        })),
        candidates,
        roles: ROLE_LABELS,
      },
      extra,
    );
  }

  const ACCESS_NOTICES: Record<string, string> = {
    added: 'Added to the access list',
    removed: 'Taken off the access list',
  };

  recordPage(
    app,
    '/complaints/:id/access',
    { auth: CASEWORK, notices: ACCESS_NOTICES, query: NoticeQuery },
    (request, reply, id, notice) => renderAccess(request, reply, id, { notice }),
  );

  app.post(
    '/complaints/:id/access',
    pageRoute(CASEWORK, { params: IdParams, body: FormBody }),
    async (request, reply) => {
      const form = request.body ?? {};
      const id = request.params.id;
      try {
        const role = str(form, 'role');
        if (!str(form, 'userId')) throw complaintErrors.invalid({ userId: 'Choose who to add' });
        if (!Object.hasOwn(ROLE_LABELS, role))
          throw complaintErrors.invalid({ role: 'Choose what they do on this complaint' });
        await c.records.grant(
          request.actor(),
          id,
          str(form, 'userId'),
          role as 'staff' | 'decision_maker' | 'assignee',
        );
      } catch (error) {
        return renderAccess(request, reply, id, refusedForm(error, form));
      }
      return reply.redirect(`/complaints/${id}/access?notice=added`, 303);
    },
  );

  app.post(
    '/complaints/:id/access/:userId/remove',
    pageRoute(CASEWORK, {
      params: Type.Object({
        id: Type.String({ maxLength: 64 }),
        userId: Type.String({ maxLength: 64 }),
      }),
    }),
    async (request, reply) => {
      const { id, userId } = request.params;
      try {
        await c.records.revoke(request.actor(), id, userId);
      } catch (error) {
        const refused = formErrors(error);
        return renderAccess(request, reply, id, {
          errors: { [`remove-${userId}`]: Object.values(refused.errors)[0]! },
          status: refused.status,
        });
      }
      const self = userId === request.actor().id;
      return reply.redirect(self ? '/complaints' : `/complaints/${id}/access?notice=removed`, 303);
    },
  );

  /* ---- Justified reads (managers) ---- */

  app.get(
    '/complaints/justified-reads',
    pageRoute(MANAGERS, {
      querystring: Type.Object({ weekOf: Type.Optional(Type.String({ maxLength: 40 })) }),
    }),
    async (request, reply) => {
      const weekOf = request.query.weekOf?.trim() || undefined;
      try {
        const report = await c.justifiedReads.week(request.actor(), weekOf);
        return await reply.page('complaints/views/justified-reads.njk', {
          pageTitle: `Justified reads: week of ${formatDayDate(report.week.from)}`,
          report,
          values: { weekOf: weekOf ?? report.week.from },
          weekLabel: `${formatDayDate(report.week.from)} to ${formatDayDate(report.week.to)}`,
          previous: shiftWeek(report.week.from, -7),
          next:
            shiftWeek(report.week.from, 7) <= c.admin.today()
              ? shiftWeek(report.week.from, 7)
              : null,
        });
      } catch (error) {
        const refused = formErrors(error);
        return reply.page(
          'complaints/views/justified-reads.njk',
          {
            pageTitle: 'Justified reads',
            report: null,
            values: { weekOf },
            errors: refused.errors,
          },
          refused.status,
        );
      }
    },
  );
}

const shiftWeek = (monday: string, days: number) => addDays(monday, days);
