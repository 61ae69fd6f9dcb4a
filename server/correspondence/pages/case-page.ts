import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../../lib/format.js';
import { CASEWORK, MANAGERS } from '../../platform/auth.js';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import { formRefusal, formVersion } from '../../platform/forms.js';
import { recordPage } from '../../platform/views.js';
import { SCAN_STATES } from '../../attachments/scan.js';
import {
  ACCEPTED_EXTENSIONS,
  ATTACHMENT_LIMITS,
  formatSize,
  sendAttachment,
  uploadedFiles,
} from '../../attachments/uploads.js';
import {
  AccessForm,
  AssignForm,
  AttachmentIdParams,
  IdParams,
  CsrfOnlyForm,
  NoteForm,
  RestrictionForm,
  TransitionForm,
} from '../schemas.js';
import { mayChangeAssignee } from '../context.js';
import type { CorrespondenceService } from '../service.js';
import type { AccessGrant, CaseDetail } from '../types.js';
import {
  CHANNEL_LABELS,
  CHANNEL_PHRASES,
  humanise,
  STATUS_LABELS,
  TYPE_LABELS,
} from '../workflow.js';
import { STATUS_TAG, summaryRow } from './queue-state.js';
import { pageRoute } from '../../platform/page-route.js';
import type { App } from '../../platform/app-type.js';

/** The case page and its forms: notes, status, assignment, files, access, restriction. */
export function casePages(app: App, svc: CorrespondenceService) {
  const NOTICES: Record<string, string> = {
    created: 'Case recorded',
    note: 'Note added',
    status: 'Status changed',
    assigned: 'Assignment saved',
    restriction: 'Restriction saved',
    access: 'Access given',
    'access-removed': 'Access removed',
    attachments: 'Attachment added',
    rescan: 'Virus check queued again',
  };

  async function renderCase(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: {
      errors?: FieldErrors;
      status?: number;
      values?: Record<string, unknown>;
      notice?: string;
    } = {},
  ) {
    const actor = request.actor();
    const manager = actor.role === 'manager';
    const [detail, options] = await Promise.all([svc.get(actor, id), svc.options()]);
    // Only after get(): a case this person may not see is a 404 before anything else.
    const access: AccessGrant[] = manager ? await svc.accessList(actor, detail.id) : [];
    const granted = new Set(access.map((grant) => grant.user.id));
    return reply.page(
      'correspondence/views/case.njk',
      {
        pageTitle: `${detail.reference}: ${detail.subject}`,
        errors: extra.errors,
        values: extra.values ?? {},
        notice: extra.notice,
        c: caseView(detail),
        isManager: actor.role === 'manager',
        moveItems: detail.allowedMoves.map((move) => ({
          value: move.to,
          text: `${STATUS_LABELS[move.to]}: ${move.label}`,
          checked: extra.values?.to === move.to,
        })),
        outcomeItems: [...new Set(detail.allowedMoves.flatMap((m) => m.outcomes))].map((value) => ({
          value,
          text: humanise(value),
          checked: extra.values?.outcome === value,
        })),
        reasonItems: [...new Set(detail.allowedMoves.flatMap((m) => m.reasons))].map((value) => ({
          value,
          text: humanise(value),
          checked: extra.values?.reasonEvent === value,
        })),
        needsReasonText: detail.allowedMoves.some((m) => m.requires.includes('reason')),
        assigneeItems: [
          { value: '', text: 'Nobody (unassigned)', selected: !detail.assignee },
          ...options.staff.map((s) => ({
            value: s.id,
            text: s.id === actor.id ? `${s.name} (me)` : s.name,
            selected: detail.assignee?.id === s.id,
          })),
        ],
        mayAssign: mayChangeAssignee(actor, detail.assignee?.id ?? null),
        access,
        // Managers see every case anyway: access is for caseworkers other than the assignee.
        accessItems: [
          { value: '', text: 'Choose a person' },
          ...options.staff
            .filter(
              (s) => s.role === 'caseworker' && !granted.has(s.id) && s.id !== detail.assignee?.id,
            )
            .map((s) => ({ value: s.id, text: s.name, selected: extra.values?.userId === s.id })),
        ],
        acceptedExtensions: ACCEPTED_EXTENSIONS,
        maxFiles: ATTACHMENT_LIMITS.files,
      },
      extra.status ?? 200,
    );
  }

  function caseView(detail: CaseDetail) {
    return {
      ...summaryRow(detail),
      ...detail,
      typeLabel: TYPE_LABELS[detail.type],
      channelLabel: CHANNEL_LABELS[detail.channel],
      channelPhrase: CHANNEL_PHRASES[detail.channel],
      statusLabel: STATUS_LABELS[detail.status],
      statusClass: STATUS_TAG[detail.status],
      outcomeLabel: detail.outcome ? humanise(detail.outcome) : null,
      dueLabel: detail.dueDate ? formatDate(detail.dueDate) : null,
      timeline: [...detail.timeline].reverse(),
      attachments: detail.attachments.map((a) => ({
        ...a,
        sizeLabel: formatSize(a.size),
        scan: SCAN_STATES[a.scanStatus],
      })),
    };
  }

  recordPage(
    app,
    '/casework/:id',
    { auth: CASEWORK, notices: NOTICES },
    (request, reply, id, notice) => renderCase(request, reply, id, { notice }),
  );

  /**
   * Runs one of the case page's forms (a POST to `/casework/:id/...`, typed by its own route's
   * schema): `values` are what to show again, `action` what to do. Done, it comes back to the
   * case with `form.notice` (at `form.anchor`); refused, the page is shown again with the error
   * summary, the refusal's message against `form.field` when it names no field of its own.
   */
  async function caseForm(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: { field: string; notice: string; anchor?: string },
    run: { values?: Record<string, unknown>; action: () => Promise<unknown> },
  ) {
    const { values = {}, action } = run;
    try {
      await action();
      return reply.redirect(`/casework/${id}?notice=${form.notice}${form.anchor ?? ''}`, 303);
    } catch (error) {
      const refusal = formRefusal(error, form.field);
      if (!refusal) throw error;
      return renderCase(request, reply, id, {
        errors: refusal.fields,
        status: refusal.status,
        values,
      });
    }
  }

  app.post(
    '/casework/:id/notes',
    pageRoute(CASEWORK, { params: IdParams, body: NoteForm }),
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body.body ?? '';
      return caseForm(
        request,
        reply,
        id,
        { field: 'body', notice: 'note', anchor: '#notes' },
        { values: { body }, action: () => svc.addNote(request.actor(), id, { body }) },
      );
    },
  );

  app.post(
    '/casework/:id/transition',
    pageRoute(CASEWORK, { params: IdParams, body: TransitionForm }),
    async (request, reply) => {
      const { id } = request.params;
      const { to, outcome, reasonEvent, reasonText } = request.body;
      return caseForm(
        request,
        reply,
        id,
        { field: 'to', notice: 'status' },
        {
          values: { to, outcome, reasonEvent, reasonText },
          action: async () => {
            if (!to)
              throw new AppError(400, 'validation', 'Select a new status', {
                to: 'Select a new status',
              });
            await svc.transition(request.actor(), id, {
              to,
              version: formVersion(request.body.version),
              outcome: outcome || undefined,
              reason: reasonEvent || reasonText?.trim() || undefined,
            });
          },
        },
      );
    },
  );

  app.post(
    '/casework/:id/assign',
    pageRoute(CASEWORK, { params: IdParams, body: AssignForm }),
    async (request, reply) => {
      const { id } = request.params;
      const assigneeId = request.body.assigneeId || null;
      return caseForm(
        request,
        reply,
        id,
        { field: 'assigneeId', notice: 'assigned' },
        {
          values: { assigneeId },
          action: () =>
            svc.assign(request.actor(), id, {
              assigneeId,
              version: formVersion(request.body.version),
            }),
        },
      );
    },
  );

  // Multipart: the files come as the body (see uploadedFiles), so there is no body schema.
  app.post(
    '/casework/:id/attachments',
    pageRoute(CASEWORK, { params: IdParams }),
    async (request, reply) => {
      const { id } = request.params;
      return caseForm(
        request,
        reply,
        id,
        { field: 'file', notice: 'attachments', anchor: '#attachments' },
        { action: () => svc.addAttachments(request.actor(), id, uploadedFiles(request.body)) },
      );
    },
  );

  // "Scan again" next to a file still held for its virus check (managers: see the service).
  app.post(
    '/casework/:id/attachments/:attachmentId/rescan',
    pageRoute(MANAGERS, { params: AttachmentIdParams, body: CsrfOnlyForm }),
    async (request, reply) => {
      const { id, attachmentId } = request.params;
      return caseForm(
        request,
        reply,
        id,
        { field: 'file', notice: 'rescan', anchor: '#attachments-heading' },
        { action: () => svc.rescanAttachment(request.actor(), id, attachmentId) },
      );
    },
  );

  app.get(
    '/casework/:id/attachments/:attachmentId',
    pageRoute(CASEWORK, { params: AttachmentIdParams }),
    async (request, reply) =>
      sendAttachment(
        reply,
        await svc.attachment(request.actor(), request.params.id, request.params.attachmentId),
      ),
  );

  app.post(
    '/casework/:id/access',
    pageRoute(MANAGERS, { params: IdParams, body: AccessForm }),
    async (request, reply) => {
      const { id } = request.params;
      const userId = request.body.userId ?? '';
      return caseForm(
        request,
        reply,
        id,
        { field: 'userId', notice: 'access', anchor: '#access' },
        {
          values: { userId },
          action: async () => {
            if (!userId)
              throw new AppError(400, 'validation', 'Choose a person', {
                userId: 'Choose who to give access to',
              });
            await svc.grantAccess(request.actor(), id, userId);
          },
        },
      );
    },
  );

  app.post(
    '/casework/:id/access/remove',
    pageRoute(MANAGERS, { params: IdParams, body: AccessForm }),
    async (request, reply) => {
      const { id } = request.params;
      return caseForm(
        request,
        reply,
        id,
        { field: 'userId', notice: 'access-removed', anchor: '#access' },
        {
          action: async () => {
            try {
              await svc.revokeAccess(request.actor(), id, request.body.userId ?? '');
            } catch (error) {
              // Already removed (a second click, or another manager): the outcome they wanted.
              if (!(error instanceof AppError && error.code === 'correspondence.access_not_found'))
                throw error;
            }
          },
        },
      );
    },
  );

  app.post(
    '/casework/:id/restriction',
    pageRoute(MANAGERS, { params: IdParams, body: RestrictionForm }),
    async (request, reply) => {
      const { id } = request.params;
      return caseForm(
        request,
        reply,
        id,
        { field: 'restricted', notice: 'restriction' },
        {
          action: () =>
            svc.setRestricted(request.actor(), id, {
              restricted: request.body.restricted === 'yes',
              version: formVersion(request.body.version),
            }),
        },
      );
    },
  );
}
