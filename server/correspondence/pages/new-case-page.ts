import { Type, type Static } from '@sinclair/typebox';
import type { ContactFound } from '../../contacts/gateway.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CASEWORK } from '../../platform/auth.js';
import { AppError, fieldsFromValidation, type FieldErrors } from '../../platform/errors.js';
import {
  dateFieldValues,
  londonInstantOf,
  pageFieldErrors,
  readDateFields,
} from '../../platform/forms.js';
import { checkUploads } from '../attachment-store.js';
import {
  ACCEPTED_EXTENSIONS,
  ATTACHMENT_LIMITS,
  multipartFields,
  uploadedFiles,
  type UploadedFile,
} from '../../attachments/uploads.js';
import { NewCaseForm } from '../schemas.js';
import type { CorrespondenceService } from '../service.js';
import type { NewCaseInput } from '../types.js';
import {
  CASE_TYPES,
  CHANNEL_LABELS,
  TYPE_LABELS,
  type CaseChannel,
  type CaseType,
} from '../workflow.js';
import { pageRoute } from '../../platform/page-route.js';
import type { App } from '../../platform/app-type.js';

/** The new-case page's own query: a contact search, or the contact picked from it. */
const NewCaseQuery = Type.Object(
  {
    contactSearch: Type.Optional(Type.String({ maxLength: 2_000 })),
    contactId: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true },
);

/** Manual-entry channels offered on the staff form (email and web arrive by themselves). */
const STAFF_CHANNELS: CaseChannel[] = ['letter', 'phone', 'in_person', 'email', 'social', 'mp'];

/** Page values for the new-case form, from a posted body. */
type NewCaseValues = Partial<Static<typeof NewCaseForm>>;

/** Form field name → the id of the input the error summary links to (service names are the API's). */
const NEW_CASE_FIELDS: Record<string, string> = {
  contactName: 'contact.name',
  contactEmail: 'contact.email',
  contactPhone: 'contact.phone',
  contactAddress: 'contact.address',
  contactPostcode: 'contact.postcode',
  receivedAt: 'receivedAt.day',
  'receivedAt-day': 'receivedAt.day',
  'receivedAt-month': 'receivedAt.day',
  'receivedAt-year': 'receivedAt.day',
  receivedTime: 'receivedAt.day',
};

/** Staff entry of a new case (with scanned letters), GOV.UK error summary on refusal. */
export function newCasePages(app: App, svc: CorrespondenceService) {
  async function renderNewCase(
    request: FastifyRequest,
    reply: FastifyReply,
    values: NewCaseValues,
    extra: {
      errors?: FieldErrors;
      status?: number;
      suggestions?: unknown[];
      /** "Find an existing contact": what was searched for and what was found. */
      find?: { q: string; result?: ContactFound };
      /** Files that were fine but must be chosen again (a browser cannot refill a file input). */
      reselect?: string[];
    } = {},
  ) {
    const options = await svc.options();
    // A contact chosen by search (or after a refusal, chosen before): the case will be theirs.
    const choice = values.contactChoice;
    const chosen = choice && choice !== 'new' ? await svc.chosenContact(choice) : undefined;
    return reply.page(
      'correspondence/views/new.njk',
      {
        pageTitle: 'Record correspondence',
        errors: extra.errors,
        values,
        suggestions: extra.suggestions,
        find: extra.find,
        chosen,
        typeItems: CASE_TYPES.map((value) => ({
          value,
          text: TYPE_LABELS[value],
          checked: values.type === value,
        })),
        channelItems: STAFF_CHANNELS.map((value) => ({
          value,
          text: CHANNEL_LABELS[value],
          checked: values.channel === value,
        })),
        topicItems: options.topics.map((t) => ({
          value: t.slug,
          text: t.label,
          checked: values.topics?.includes(t.slug) ?? false,
        })),
        acceptedExtensions: ACCEPTED_EXTENSIONS,
        maxFiles: ATTACHMENT_LIMITS.files,
        reselect: extra.reselect ?? [],
      },
      extra.status ?? 200,
    );
  }

  /** The files of each staff-entry submission (multipart), taken off the body before validation. */
  const newCaseFiles = new WeakMap<FastifyRequest, UploadedFile[]>();

  app.get(
    '/casework/new',
    pageRoute(CASEWORK, { querystring: NewCaseQuery }),
    async (request, reply) => {
      const values: NewCaseValues = dateFieldValues(svc.today(), 'receivedAt');
      const { contactSearch, contactId } = request.query;
      // Step one, without JavaScript: search (a GET of this page), then pick one by its link.
      if (contactId) {
        if (await svc.chosenContact(contactId)) values.contactChoice = contactId;
        else
          return renderNewCase(request, reply, values, {
            errors: { contactSearch: 'That contact no longer exists: search again' },
            status: 404,
          });
      }
      if (contactSearch === undefined) return renderNewCase(request, reply, values);
      try {
        const result = await svc.findContacts(request.actor(), contactSearch);
        return await renderNewCase(request, reply, values, {
          find: { q: contactSearch, result },
        });
      } catch (error) {
        if (!(error instanceof AppError) || !error.fields?.q) throw error;
        return renderNewCase(request, reply, values, {
          errors: { contactSearch: error.fields.q },
          find: { q: contactSearch.slice(0, 200) },
          status: 400,
        });
      }
    },
  );

  app.post(
    '/casework/new',
    {
      schema: { body: NewCaseForm, hide: true },
      attachValidation: true,
      config: {
        auth: CASEWORK,
        // The whole form arrives as multipart with its scanned attachments: room for every
        // field (the text is up to 20,000 characters) besides the files. `files` is only the
        // transport's hard stop: past it @fastify/multipart answers a bare 413 and the typed
        // form is lost, so it sits well above our own 5-file rule (checkUploads), which gives
        // the field error and keeps the text. Each file is still cut off just past 10 MiB.
        multipartOptions: {
          limits: { fields: 60, fieldSize: 128 * 1024, files: 20, parts: 80 },
        },
      },
      // Multipart fields arrive as { value } parts: made a plain form body, files set aside,
      // so the same schema validates both encodings.
      preValidation: async (request) => {
        if (!request.isMultipart()) return;
        newCaseFiles.set(request, uploadedFiles(request.body));
        request.body = multipartFields(request.body) as never;
      },
    },
    async (request, reply) => {
      const values = (request.body ?? {}) as NewCaseValues;
      const files = newCaseFiles.get(request) ?? [];
      // A bad file is one more field error: the typed form is shown again, nothing saved.
      let fileError: AppError | undefined;
      try {
        await checkUploads(files, { required: false });
      } catch (error) {
        if (!(error instanceof AppError) || !error.fields?.file) throw error;
        fileError = error;
      }
      const reselect = fileError ? [] : files.map((file) => displayName(file.filename));
      if (request.validationError) {
        const errors = pageFieldErrors(
          fieldsFromValidation(
            (request.validationError.validation ?? []) as Parameters<
              typeof fieldsFromValidation
            >[0],
          ),
          NEW_CASE_FIELDS,
        );
        if (fileError) errors.file ??= fileError.fields!.file!;
        return renderNewCase(request, reply, keepTyped(values), {
          errors,
          status: 400,
          reselect,
        });
      }
      const actor = request.actor();
      const contact = {
        name: values.contactName ?? '',
        email: values.contactEmail,
        phone: values.contactPhone,
        address: values.contactAddress,
        postcode: values.contactPostcode,
      };
      const fields: FieldErrors = {};
      const typedAt = receivedAtFrom(values, fields);
      const receivedAt = typedAt && svc.arrivalOf(typedAt, Boolean(values.receivedTime?.trim()));
      const now = svc.now();
      const choice = values.contactChoice ?? '';
      const input: NewCaseInput = {
        type: values.type as CaseType,
        channel: values.channel as CaseChannel,
        receivedAt: receivedAt ?? now,
        subject: values.subject ?? '',
        body: values.body ?? '',
        topics: values.topics ?? [],
        ...(choice && choice !== 'new' ? { contactId: choice } : { contact }),
      };
      // All the problems at once: the form's own (the date), the service's and the files'.
      Object.assign(fields, { ...svc.validateNewCase(input), ...fields });
      if (fileError) fields.file = fileError.fields!.file!;
      try {
        if (fileError && Object.keys(fields).length === 1) throw fileError; // 413 or 415
        if (Object.keys(fields).length > 0)
          throw new AppError(400, 'validation', 'Check the form', fields);
        if (!choice && contact.name.trim()) {
          const suggestions = await svc.contactChoiceNeeded(contact);
          if (suggestions)
            return await renderNewCase(request, reply, values, { suggestions, reselect });
        }
        const created = await svc.createCase(actor, input, { files });
        return reply.redirect(`/casework/${created.id}?notice=created`, 303);
      } catch (error) {
        if (error instanceof AppError && error.fields && error.statusCode < 500) {
          return renderNewCase(request, reply, values, {
            errors: pageFieldErrors(error.fields, NEW_CASE_FIELDS),
            status: error.statusCode,
            reselect: error.fields.file ? [] : reselect,
          });
        }
        throw error;
      }
    },
  );

  /* ---- The case page and its forms ---- */
}

/** A file's name as the browser gave it, without its path, for "select it again". */
const displayName = (raw: string) => raw.split(/[\\/]/).pop()?.slice(0, 100) || 'attachment';

/** What was typed, limited to the form's own fields and lengths, to show it again. */
function keepTyped(values: Record<string, unknown>): NewCaseValues {
  const kept: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(NewCaseForm.properties)) {
    const value = values[key];
    const max = (schema as { maxLength?: number }).maxLength ?? 1000;
    if (typeof value === 'string') kept[key] = value.slice(0, max);
    else if (Array.isArray(value))
      kept[key] = value.filter((v): v is string => typeof v === 'string').slice(0, 20);
  }
  return kept;
}

/** The staff form's date (and optional time) of receipt, read in London time. */
function receivedAtFrom(values: NewCaseValues, fields: FieldErrors): Date | undefined {
  const { date } = readDateFields(values, 'receivedAt');
  if (!date || date < '2000-01-01') {
    fields.receivedAt = 'Enter the date it was received, for example 27 3 2026';
    return undefined;
  }
  const at = londonInstantOf(date, values.receivedTime);
  if (!at) {
    fields.receivedAt = 'Enter the time as hours and minutes, like 14:30';
    return undefined;
  }
  return at;
}
