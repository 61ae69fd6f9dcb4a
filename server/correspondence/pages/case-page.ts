import type { Static, TSchema, TUnknown } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../../lib/format.js';
import type { RouteAuth } from '../../platform/api-route.js';
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

  /** Every case form's path starts `/casework/:id` (IdParams, AttachmentIdParams). */
  type CaseId = Static<typeof IdParams>;

  /**
   * Registers one of the case page's forms: a POST to `/casework/:id<path>`. `run` reads the
   * form into the values to show again and the action to take. Done, it comes back to the case
   * with `notice` (at `anchor`); refused, the page is shown again with the error summary, the
   * refusal's message against `field` when it names no field of its own.
   */
  function caseForm<B extends TSchema = TUnknown, P extends TSchema = typeof IdParams>(
    path: string,
    form: {
      params?: P;
      body?: B;
      auth: RouteAuth;
      field: string;
      notice: string;
      anchor?: string;
    },
    run: (
      request: FastifyRequest<{ Params: Static<P> & CaseId; Body: Static<B> }>,
      id: string,
    ) => { values?: Record<string, unknown>; action: () => Promise<unknown> },
  ) {
    // Generic over the form's params and body schemas (P, B): the route is typed by them, as
    // `run` is, since the type provider cannot resolve a schema that is a type parameter.
    app.post<{ Params: Static<P> & CaseId; Body: Static<B> }>(
      `/casework/:id${path}`,
      pageRoute(form.auth, {
        params: form.params ?? IdParams,
        ...(form.body && { body: form.body }),
      }),
      async (request, reply) => {
        const { id } = request.params as CaseId;
        const { values = {}, action } = run(request, id);
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
      },
    );
  }

  caseForm(
    '/notes',
    { body: NoteForm, auth: CASEWORK, field: 'body', notice: 'note', anchor: '#notes' },
    (request, id) => {
      const body = request.body.body ?? '';
      return { values: { body }, action: () => svc.addNote(request.actor(), id, { body }) };
    },
  );

  caseForm(
    '/transition',
    { body: TransitionForm, auth: CASEWORK, field: 'to', notice: 'status' },
    (request, id) => {
      const { to, outcome, reasonEvent, reasonText } = request.body;
      return {
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
      };
    },
  );

  caseForm(
    '/assign',
    { body: AssignForm, auth: CASEWORK, field: 'assigneeId', notice: 'assigned' },
    (request, id) => {
      const assigneeId = request.body.assigneeId || null;
      return {
        values: { assigneeId },
        action: () =>
          svc.assign(request.actor(), id, {
            assigneeId,
            version: formVersion(request.body.version),
          }),
      };
    },
  );

  // Multipart: the files come as the body (see uploadedFiles), so there is no body schema.
  caseForm(
    '/attachments',
    { auth: CASEWORK, field: 'file', notice: 'attachments', anchor: '#attachments' },
    (request, id) => ({
      action: () => svc.addAttachments(request.actor(), id, uploadedFiles(request.body)),
    }),
  );

  // "Scan again" next to a file still held for its virus check (managers: see the service).
  caseForm(
    '/attachments/:attachmentId/rescan',
    {
      params: AttachmentIdParams,
      body: CsrfOnlyForm,
      auth: MANAGERS,
      field: 'file',
      notice: 'rescan',
      anchor: '#attachments-heading',
    },
    (request, id) => ({
      action: () => svc.rescanAttachment(request.actor(), id, request.params.attachmentId),
    }),
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

  caseForm(
    '/access',
    { body: AccessForm, auth: MANAGERS, field: 'userId', notice: 'access', anchor: '#access' },
    (request, id) => {
      const userId = request.body.userId ?? '';
      return {
        values: { userId },
        action: async () => {
          if (!userId)
            throw new AppError(400, 'validation', 'Choose a person', {
              userId: 'Choose who to give access to',
            });
          await svc.grantAccess(request.actor(), id, userId);
        },
      };
    },
  );

  caseForm(
    '/access/remove',
    {
      body: AccessForm,
      auth: MANAGERS,
      field: 'userId',
      notice: 'access-removed',
      anchor: '#access',
    },
    (request, id) => ({
      action: async () => {
        try {
          await svc.revokeAccess(request.actor(), id, request.body.userId ?? '');
        } catch (error) {
          // Already removed (a second click, or another manager): the outcome they wanted.
          if (!(error instanceof AppError && error.code === 'correspondence.access_not_found'))
            throw error;
        }
      },
    }),
  );

  caseForm(
    '/restriction',
    { body: RestrictionForm, auth: MANAGERS, field: 'restricted', notice: 'restriction' },
    (request, id) => ({
      action: () =>
        svc.setRestricted(request.actor(), id, {
          restricted: request.body.restricted === 'yes',
          version: formVersion(request.body.version),
        }),
    }),
  );
}
