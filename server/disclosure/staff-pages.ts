import { type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SCAN_STATES } from '../attachments/scan.js';
import { sendAttachment, uploadedFiles } from '../attachments/uploads.js';
import { humanise } from '../correspondence/workflow.js';
import type { Actor } from '../platform/audit.js';
import { CASEWORK, MANAGERS } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import {
  dateFieldValues,
  formRefusal,
  formVersion,
  pageFieldErrors,
  readDateFields,
} from '../platform/forms.js';
import { recordPage } from '../platform/views.js';
import { isEditable } from './model.js';
import { ActionForm, CsrfForm, DocumentParams, EntryForm, IdParams } from './schemas.js';
import {
  DOCUMENT_LIMITS,
  type DisclosureService,
  type EntryInput,
  type EntryView,
} from './service.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  draft: { text: 'Draft', classes: 'govuk-tag--grey' },
  approved: { text: 'Approved', classes: 'govuk-tag--blue' },
  published: { text: 'Published', classes: 'govuk-tag--green' },
  withdrawn: { text: 'Withdrawn', classes: 'govuk-tag--red' },
};

/** The staff pages: the entries list, one entry's form, documents, and the manager's actions. */
export function staffPages(app: App, svc: DisclosureService) {
  /* ---- Staff pages ---- */

  const statusRow = (entry: EntryView) => ({
    ...entry,
    statusTag: STATUS_TAGS[entry.status],
    outcomeLabel: entry.outcome ? humanise(entry.outcome) : 'Not given',
  });

  app.get('/disclosure-entries', pageRoute(CASEWORK), async (request, reply) => {
    const entries = await svc.list(request.actor());
    return reply.page('disclosure/views/staff-list.njk', {
      pageTitle: 'Disclosure log entries',
      entries: entries.map(statusRow),
    });
  });

  app.post(
    '/casework/:id/disclosure',
    pageRoute(CASEWORK, { params: IdParams, body: CsrfForm }),
    async (request, reply) => {
      try {
        const { entry } = await svc.draftFromCase(request.actor(), request.params.id);
        return reply.redirect(`/disclosure-entries/${entry.id}`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode === 422)
          return reply.errorPage!(422, 'This case cannot be published', error.message);
        throw error;
      }
    },
  );

  type EntryValues = Partial<Static<typeof EntryForm>>;

  function valuesOf(entry: EntryView): EntryValues {
    return {
      version: String(entry.version),
      title: entry.title,
      requestText: entry.requestText,
      summary: entry.summary,
      outcome: entry.outcome ?? '',
      exemptions: entry.exemptions.join('\n'),
      ...dateFieldValues(entry.responseDate, 'responseDate'),
      topics: entry.topics,
      personalDataRemoved: entry.personalDataRemoved ? 'yes' : undefined,
    };
  }

  async function renderEntry(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { values?: EntryValues; errors?: FieldErrors; status?: number; notice?: string } = {},
  ) {
    const actor = request.actor();
    const entry = await svc.get(actor, id);
    const values = extra.values ?? valuesOf(entry);
    const allTopics = await svc.allTopics();
    const known = new Set(allTopics.map((t) => t.slug));
    const extraTopics = await svc.topicList(entry.topics.filter((slug) => !known.has(slug)));
    const documents = await svc.documents(actor, id);
    // The date's error goes against its first box, as GOV.UK date inputs have it.
    const errors = pageFieldErrors(extra.errors ?? {}, { responseDate: 'responseDate.day' });
    return reply.page(
      'disclosure/views/staff-entry.njk',
      {
        pageTitle: `Disclosure log entry ${entry.reference}`,
        errors: Object.keys(errors).length ? errors : undefined,
        notice: extra.notice,
        entry: statusRow(entry),
        values,
        editable: isEditable(entry.status),
        documents: documents.map((d) => ({ ...d, scan: SCAN_STATES[d.scanStatus] })),
        maxDocuments: DOCUMENT_LIMITS.files,
        isManager: actor.role === 'manager',
        outcomeItems: [
          { value: '', text: 'Not given', checked: !values.outcome },
          ...svc.outcomes.map((value) => ({
            value,
            text: humanise(value),
            checked: values.outcome === value,
          })),
        ],
        topicItems: [...allTopics, ...extraTopics].map((t) => ({
          value: t.slug,
          text: t.label,
          checked: values.topics?.includes(t.slug) ?? false,
        })),
      },
      extra.status ?? 200,
    );
  }

  const NOTICES: Record<string, string> = {
    saved: 'Entry saved',
    approved: 'Entry approved',
    published: 'Entry published',
    withdrawn: 'Entry withdrawn',
    documents: 'Document added. The entry needs approving again before it is published.',
    removed: 'Document removed',
    rescan: 'Virus check queued again',
  };

  recordPage(
    app,
    '/disclosure-entries/:id',
    { auth: CASEWORK, notices: NOTICES },
    (request, reply, id, notice) => renderEntry(request, reply, id, { notice }),
  );

  app.post(
    '/disclosure-entries/:id',
    pageRoute(CASEWORK, { params: IdParams, body: EntryForm }),
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      // What was typed goes to the service, which says what is wrong with it.
      const responseDate = readDateFields(body, 'responseDate').typed;
      const input: EntryInput = {
        version: formVersion(body.version),
        title: body.title ?? '',
        requestText: body.requestText ?? '',
        summary: body.summary ?? '',
        outcome: body.outcome || null,
        exemptions: (body.exemptions ?? '').split(/\r?\n/),
        responseDate,
        topics: body.topics ?? [],
        personalDataRemoved: body.personalDataRemoved === 'yes',
      };
      try {
        await svc.update(request.actor(), id, input);
        return reply.redirect(`/disclosure-entries/${id}?notice=saved`, 303);
      } catch (error) {
        const refusal = formRefusal(error, 'title');
        if (!refusal) throw error;
        return renderEntry(request, reply, id, {
          values: body,
          errors: refusal.fields,
          status: refusal.status,
        });
      }
    },
  );

  app.post(
    '/disclosure-entries/:id/documents',
    pageRoute(CASEWORK, { params: IdParams }),
    async (request, reply) => {
      const { id } = request.params;
      try {
        await svc.addDocuments(request.actor(), id, uploadedFiles(request.body));
        return reply.redirect(`/disclosure-entries/${id}?notice=documents#documents`, 303);
      } catch (error) {
        const refusal = formRefusal(error, 'file');
        if (!refusal) throw error;
        return renderEntry(request, reply, id, { errors: refusal.fields, status: refusal.status });
      }
    },
  );

  app.get(
    '/disclosure-entries/:id/documents/:documentId',
    pageRoute(CASEWORK, { params: DocumentParams }),
    async (request, reply) =>
      sendAttachment(
        reply,
        await svc.document(request.actor(), request.params.id, request.params.documentId),
      ),
  );

  /*
   * A button on one document: remove it (caseworkers, draft or approved entries) or, for
   * managers, "Scan again" while it is held for its virus check (see the service). A refusal
   * (422) shows the entry again with the reason against the documents.
   */
  const documentButtons = [
    {
      path: 'remove',
      roles: CASEWORK,
      run: (actor: Actor, id: string, doc: string) => svc.removeDocument(actor, id, doc),
      notice: 'removed',
    },
    {
      path: 'rescan',
      roles: MANAGERS,
      run: (actor: Actor, id: string, doc: string) => svc.rescanDocument(actor, id, doc),
      notice: 'rescan',
    },
  ] as const;
  for (const button of documentButtons) {
    app.post(
      `/disclosure-entries/:id/documents/:documentId/${button.path}`,
      pageRoute(button.roles, { params: DocumentParams, body: CsrfForm }),
      async (request, reply) => {
        const { id, documentId } = request.params;
        try {
          await button.run(request.actor(), id, documentId);
          return reply.redirect(`/disclosure-entries/${id}?notice=${button.notice}#documents`, 303);
        } catch (error) {
          if (error instanceof AppError && error.statusCode === 422)
            return renderEntry(request, reply, id, {
              errors: { file: error.message },
              status: 422,
            });
          throw error;
        }
      },
    );
  }

  for (const action of ['approve', 'publish', 'withdraw'] as const) {
    app.post(
      `/disclosure-entries/:id/${action}`,
      pageRoute(MANAGERS, { params: IdParams, body: ActionForm }),
      async (request, reply) => {
        const { id } = request.params;
        const version = formVersion(request.body.version);
        try {
          if (action === 'withdraw')
            await svc.withdraw(request.actor(), id, { version, reason: request.body.reason ?? '' });
          else await svc[action](request.actor(), id, { version });
          const notice = { approve: 'approved', publish: 'published', withdraw: 'withdrawn' }[
            action
          ];
          return reply.redirect(`/disclosure-entries/${id}?notice=${notice}`, 303);
        } catch (error) {
          const refusal = formRefusal(error, action === 'withdraw' ? 'reason' : 'action');
          if (!refusal) throw error;
          return renderEntry(request, reply, id, {
            errors: refusal.fields,
            status: refusal.status,
          });
        }
      },
    );
  }
}
