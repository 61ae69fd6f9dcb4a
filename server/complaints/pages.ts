/**
 * The complaint pages (GOV.UK and MoJ patterns, work without JavaScript): the list, a new
 * complaint, one complaint with its moves, letters and contacts, equality answers, and a
 * record made from a correspondence case. A refused form is shown again with what was
 * typed and a field-level error summary; nothing saved is lost.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isIsoDate } from '../lib/dates.js';
import { CASEWORK } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { recordPage } from '../platform/views.js';
import {
  MANDATORY_CRITERIA,
  OUTCOMES,
  RECORDING_REASONS,
  STATUS_LABELS,
  CHANNELS,
} from './machine.js';
import { TEMPLATE_KEYS } from './letters.js';
import type { ComplaintsService } from './service.js';
import type { TransitionInput } from './transitions.js';
import type { NewComplaintInput } from './records.js';
import {
  EQUALITY_LABELS,
  EQUALITY_OPTIONS,
  FormBody,
  IdParams,
  list,
  NoticeQuery,
  opt,
  pageErrors,
  pageWithState,
  str,
  words,
  type Form,
  type PageState,
} from './page-forms.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

export async function complaintPages(app: App, opts: { complaints: ComplaintsService }) {
  const c = opts.complaints;
  app.staffNav.push({ href: '/complaints', text: 'Complaints', roles: ['caseworker', 'manager'] });

  const categoryItems = async () => {
    const data = await c.referenceData.list();
    return {
      categories: data.categories.filter((x) => !x.parent && x.inUse),
      subcategories: data.categories.filter((x) => x.parent && x.inUse),
      factors: data.factors.filter((x) => x.inUse),
    };
  };

  async function renderNew(
    reply: FastifyReply,
    values: Form,
    errors: FieldErrors = {},
    status = 200,
    caseId?: string,
  ) {
    return reply.page(
      'complaints/views/new.njk',
      {
        pageTitle: caseId ? 'Make a complaint record' : 'Record a complaint',
        values,
        errors,
        caseId,
        channels: CHANNELS,
        criteria: MANDATORY_CRITERIA,
        ...(await categoryItems()),
      },
      status,
    );
  }

  async function renderDetail(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: PageState = {},
  ) {
    const detail = await c.detail.get(request.actor(), id);
    return pageWithState(
      reply,
      'complaints/views/complaint.njk',
      {
        pageTitle: detail.reference,
        c: detail,
        labels: STATUS_LABELS,
        moves: detail.moves.map((m) => ({ value: m, text: STATUS_LABELS[m] ?? words(m) })),
        reasons: RECORDING_REASONS,
        outcomes: OUTCOMES,
        templates: TEMPLATE_KEYS,
        words,
      },
      extra,
    );
  }

  /** Runs a form's action; a refusal (400/409/422) shows the page again with the error. */
  async function attempt(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: Form,
    action: () => Promise<unknown>,
    notice: string,
  ) {
    try {
      await action();
    } catch (error) {
      if (
        !(error instanceof AppError) ||
        error.statusCode === 404 ||
        error.statusCode >= 500 ||
        error.statusCode === 403
      )
        throw error;
      const errors = pageErrors(error.fields);
      if (Object.keys(errors).length === 0) errors.to = error.message;
      return renderDetail(request, reply, id, { errors, values: form, status: error.statusCode });
    }
    return reply.redirect(`/complaints/${id}?notice=${notice}`, 303);
  }

  app.get(
    '/complaints',
    pageRoute(CASEWORK, {
      querystring: Type.Object({
        q: Type.Optional(Type.String({ maxLength: 200 })),
        status: Type.Optional(Type.String({ maxLength: 40 })),
      }),
    }),
    async (request, reply) => {
      const result = await c.records.list(
        request.actor(),
        { q: request.query.q || undefined, status: request.query.status || undefined },
        { limit: 100 },
      );
      return reply.page('complaints/views/list.njk', {
        pageTitle: 'Complaints',
        items: result.items,
        q: request.query.q ?? '',
        labels: STATUS_LABELS,
      });
    },
  );

  app.get('/complaints/new', pageRoute(CASEWORK), async (_request, reply) => renderNew(reply, {}));

  const toInput = (form: Form): NewComplaintInput => ({
    receivedAt: str(form, 'receivedOn'),
    madeOn: opt(str(form, 'madeOn')),
    channel: opt(str(form, 'channel')) ?? 'letter',
    complainant: {
      name: str(form, 'complainantName'),
      email: opt(str(form, 'complainantEmail')),
      phone: opt(str(form, 'complainantPhone')),
      postcode: opt(str(form, 'complainantPostcode')),
    },
    summary: str(form, 'summary'),
    allegations: [
      {
        category: str(form, 'category'),
        subcategory: opt(str(form, 'subcategory')),
        description: str(form, 'description'),
        factors: list(form, 'factors'),
      },
    ],
    recordingRequested: str(form, 'recordingRequested') === 'yes',
    criteria: list(form, 'criteria'),
  });

  function checkNew(form: Form, fromCase: boolean): FieldErrors {
    const errors: FieldErrors = {};
    if (!fromCase) {
      if (!isIsoDate(str(form, 'receivedOn')))
        errors.receivedOn = 'Enter the date received, for example 2026-11-02';
      if (!str(form, 'complainantName'))
        errors['complainant-name'] = 'Enter the complainant’s name';
      else if (str(form, 'complainantName').length > 200)
        errors['complainant-name'] = 'The name must be 200 characters or fewer';
      if (!str(form, 'summary')) errors.summary = 'Enter a summary of the complaint';
      else if (str(form, 'summary').length > 10_000)
        errors.summary = 'The summary must be 10,000 characters or fewer';
    }
    if (str(form, 'madeOn') && !isIsoDate(str(form, 'madeOn')))
      errors.madeOn = 'Enter the date as YYYY-MM-DD';
    if (!str(form, 'category')) errors.category = 'Choose the category of the allegation';
    if (!str(form, 'description')) errors.description = 'Describe the allegation';
    else if (str(form, 'description').length > 5000)
      errors.description = 'The description must be 5,000 characters or fewer';
    return errors;
  }

  app.post(
    '/complaints/new',
    { ...pageRoute(CASEWORK, { body: FormBody }), attachValidation: true },
    async (request, reply) => {
      const form = request.body ?? {};
      const errors = request.validationError
        ? { summary: 'Some of what was entered is too long' }
        : checkNew(form, false);
      if (Object.keys(errors).length) return renderNew(reply, form, errors, 400);
      try {
        const created = await c.records.create(request.actor(), toInput(form));
        return reply.redirect(`/complaints/${created.id}?notice=created`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500 && error.fields)
          return renderNew(reply, form, pageErrors(error.fields), error.statusCode);
        throw error;
      }
    },
  );

  app.get(
    '/complaints/from-case/:caseId',
    pageRoute(CASEWORK, { params: Type.Object({ caseId: Type.String({ maxLength: 64 }) }) }),
    async (request, reply) => {
      const existing = await c.records.existingForCase(request.actor(), request.params.caseId);
      if (existing) return reply.redirect(`/complaints/${existing}`, 303);
      return renderNew(reply, {}, {}, 200, request.params.caseId);
    },
  );

  app.post(
    '/complaints/from-case/:caseId',
    {
      ...pageRoute(CASEWORK, {
        body: FormBody,
        params: Type.Object({ caseId: Type.String({ maxLength: 64 }) }),
      }),
      attachValidation: true,
    },
    async (request, reply) => {
      const form = request.body ?? {};
      const errors = request.validationError
        ? { description: 'Some of what was entered is too long' }
        : checkNew(form, true);
      if (Object.keys(errors).length)
        return renderNew(reply, form, errors, 400, request.params.caseId);
      try {
        const made = await c.records.fromCase(request.actor(), request.params.caseId, {
          madeOn: opt(str(form, 'madeOn')),
          allegations: toInput(form).allegations,
        });
        return reply.redirect(
          `/complaints/${made.id}?notice=${made.existing ? 'existing' : 'created'}`,
          303,
        );
      } catch (error) {
        if (
          error instanceof AppError &&
          error.statusCode < 500 &&
          error.statusCode !== 404 &&
          error.fields
        )
          return renderNew(
            reply,
            form,
            pageErrors(error.fields),
            error.statusCode,
            request.params.caseId,
          );
        throw error;
      }
    },
  );

  const NOTICES: Record<string, string> = {
    created: 'Complaint recorded',
    existing: 'A complaint record had already been made from this case',
    moved: 'Status changed',
    letter: 'Letter recorded on the timeline',
    contact: 'Contact logged',
    equality: 'Equality answers saved',
  };

  recordPage(
    app,
    '/complaints/:id',
    { auth: CASEWORK, notices: NOTICES, query: NoticeQuery },
    (request, reply, id, notice) => renderDetail(request, reply, id, { notice }),
  );

  /**
   * A form on the complaint page posted to `path`: `action` runs, then the complaint again
   * with `notice`, or with the refusal (attempt).
   */
  function complaintForm(
    path: string,
    notice: string,
    action: (form: Form, request: FastifyRequest & { params: { id: string } }) => Promise<unknown>,
  ) {
    app.post(
      path,
      pageRoute(CASEWORK, { params: IdParams, body: FormBody }),
      async (request, reply) => {
        const form = request.body ?? {};
        return attempt(
          request,
          reply,
          request.params.id,
          form,
          () => action(form, request),
          notice,
        );
      },
    );
  }

  complaintForm('/complaints/:id/move', 'moved', async (form, request) => {
    const to = str(form, 'to');
    if (!to)
      throw new AppError(400, 'validation', 'Choose what happens next', {
        to: 'Choose what happens next',
      });
    const input: TransitionInput = {
      to,
      at: str(form, 'at'),
      version: Number(str(form, 'version')) || undefined,
      reason: opt(str(form, 'reason')),
      decisionMaker: opt(str(form, 'decisionMaker')),
      investigator: opt(str(form, 'investigator')),
      confirmed: str(form, 'confirmed') === 'yes' || undefined,
      ...(str(form, 'notReferable') === 'yes' ? { referral: 'not_referable' as const } : {}),
    };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.at))
      throw new AppError(400, 'validation', 'Enter the date', {
        at: 'Enter the date it happened, for example 2026-11-02',
      });
    const outcomes = Object.keys(form).filter((k) => k.startsWith('outcome-') && str(form, k));
    if (to === 'outcome_determined')
      input.outcome = {
        allegations: outcomes.map((k) => ({
          id: k.slice(8),
          outcome: str(form, k),
          actions: list(form, `actions-${k.slice(8)}`),
        })),
      };
    if (str(form, 'reviewResult') || str(form, 'recommendations') || str(form, 'accepted'))
      input.review = {
        ...(str(form, 'reviewResult') ? { result: str(form, 'reviewResult') as 'upheld' } : {}),
        ...(str(form, 'recommendations') ? { recommendations: str(form, 'recommendations') } : {}),
        ...(str(form, 'accepted') ? { accepted: str(form, 'accepted') === 'yes' } : {}),
      };
    if (to === 'closed' && (str(form, 'reg41LetterOn') || str(form, 'reg41Reply')))
      input.reg41 = {
        letterOn: str(form, 'reg41LetterOn'),
        reply: str(form, 'reg41Reply') === 'refused' ? 'refused' : 'no_reply',
        conductDecision: str(form, 'reg41ConductDecision'),
      };
    await c.transitions.transition(request.actor(), request.params.id, input);
  });

  complaintForm('/complaints/:id/letters', 'letter', async (form, request) => {
    const template = str(form, 'template');
    if (!(TEMPLATE_KEYS as readonly string[]).includes(template))
      throw new AppError(400, 'validation', 'Choose a letter', {
        template: 'Choose a letter',
      });
    await c.letters.send(request.actor(), request.params.id, {
      template,
      channel: str(form, 'channel') === 'email' ? 'email' : 'post',
      withheld: opt(str(form, 'withheld')),
    });
  });

  complaintForm('/complaints/:id/contacts', 'contact', async (form, request) => {
    const kind = str(form, 'kind') as 'first_contact';
    const channel = str(form, 'contactChannel') as 'phone';
    if (!['first_contact', 'update', 'report', 'other'].includes(kind))
      throw new AppError(400, 'validation', 'Choose the kind of contact', {
        kind: 'Choose the kind of contact',
      });
    if (!['phone', 'in_person', 'email', 'post'].includes(channel))
      throw new AppError(400, 'validation', 'Choose how', {
        contactChannel: 'Choose how the contact was made',
      });
    await c.letters
      .logContact(request.actor(), request.params.id, {
        kind,
        channel,
        at: opt(str(form, 'contactAt')),
        note: opt(str(form, 'note')),
      })
      .catch((error: unknown) => {
        // The service names the date `at`; on this page it is the contact form's field.
        if (error instanceof AppError && error.fields?.at) {
          const { at, ...rest } = error.fields;
          throw new AppError(error.statusCode, error.code, error.message, {
            ...rest,
            contactAt: at,
          });
        }
        throw error;
      });
  });

  app.get(
    '/complaints/:id/equality',
    pageRoute(CASEWORK, { params: IdParams }),
    async (request, reply) => {
      const actor = request.actor();
      const detail = await c.detail.get(actor, request.params.id);
      // One person's answers only for someone granted access (audited read); others
      // get the form empty, never what was recorded.
      const granted = (await c.equalityGrants.granted(actor))
        ? await c.equalityGrants.answers(actor, detail.id)
        : null;
      return reply.page('complaints/views/equality.njk', {
        pageTitle: 'Equality answers',
        c: detail,
        granted,
        options: EQUALITY_OPTIONS,
        labels: EQUALITY_LABELS,
        words,
      });
    },
  );

  app.post(
    '/complaints/:id/equality',
    pageRoute(CASEWORK, { params: IdParams, body: FormBody }),
    async (request, reply) => {
      const form = request.body ?? {};
      const answers: Record<string, string | null> = {};
      for (const [key, allowed] of Object.entries(EQUALITY_OPTIONS)) {
        const value = str(form, key);
        answers[key] = allowed.includes(value) ? value : null;
      }
      await c.records.setEquality(request.actor(), request.params.id, answers);
      return reply.redirect(`/complaints/${request.params.id}?notice=equality`, 303);
    },
  );
}
