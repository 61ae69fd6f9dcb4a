import { randomUUID } from 'node:crypto';
import { TEMPLATE_PURPOSES } from '../../db/schema/replies.js';
import { CASE_TYPES } from '../correspondence/workflow.js';
import type { Actor } from '../platform/audit.js';
import { validationError, type FieldErrors } from '../platform/errors.js';
import type { RepliesContext } from './context.js';
import { adminOnly, staleTemplate, templateNotFound } from './errors.js';
import { checkTemplateText } from './merge.js';
import {
  CONTROL,
  TEMPLATE_LIMITS,
  templateOffered,
  templateView,
  type TemplateInput,
  type TemplatePurpose,
  type TemplateView,
} from './model.js';
import { TemplateVersionTaken } from './repository.js';

/** A template's field errors: name, purpose, case types, a one-line subject, merge fields. */
export function checkTemplate(input: TemplateInput): FieldErrors {
  const fields: FieldErrors = {};
  const name = input.name?.trim() ?? '';
  if (!name) fields.name = 'Enter a name for the template';
  else if (name.length > TEMPLATE_LIMITS.name)
    fields.name = `Name must be ${TEMPLATE_LIMITS.name} characters or fewer`;
  if (!(TEMPLATE_PURPOSES as readonly string[]).includes(input.purpose))
    fields.purpose = 'Select what the template is for';
  const unknownTypes = (input.caseTypes ?? []).filter(
    (t) => !(CASE_TYPES as readonly string[]).includes(t),
  );
  if (unknownTypes.length) fields.caseTypes = 'Select case types from the list';
  const subject = input.subject?.trim() ?? '';
  if (!subject) fields.subject = 'Enter a subject';
  else if (subject.length > TEMPLATE_LIMITS.subject)
    fields.subject = `Subject must be ${TEMPLATE_LIMITS.subject} characters or fewer`;
  else if (CONTROL.test(subject) || /[\r\n]/.test(subject))
    fields.subject = 'The subject must be one line';
  if (!input.body?.trim()) fields.body = 'Enter the text of the template';
  else if (input.body.length > TEMPLATE_LIMITS.body)
    fields.body = `The text must be ${TEMPLATE_LIMITS.body.toLocaleString('en-GB')} characters or fewer`;
  const merge = checkTemplateText({ subject, body: input.body ?? '' });
  for (const [field, message] of Object.entries(merge)) fields[field] ??= message;
  return fields;
}

const isAdmin = (actor: Actor) => actor.role === 'admin' || actor.role === 'system';

/** Reply templates: versioned, only administrators change them, merge fields checked. */
export function createTemplateCommands(ctx: RepliesContext) {
  const { db, clock, audit, repo } = ctx;

  /** A new version's stored fields from what the editor typed (trimmed, types once each). */
  const versionOf = (input: TemplateInput, actor: Actor) => ({
    name: input.name.trim(),
    purpose: input.purpose as TemplatePurpose,
    caseTypes: [...new Set(input.caseTypes ?? [])],
    subject: input.subject.trim(),
    body: input.body,
    createdById: actor.id,
    createdAt: clock.now(),
  });

  async function templatesFor(type?: string): Promise<TemplateView[]> {
    const rows = await repo.latestTemplates(db);
    return rows.filter((row) => !type || templateOffered(row, type)).map(templateView);
  }

  return {
    /** The latest version of each template (offered for `caseType`, when given). */
    listTemplates: templatesFor,

    /** One template family: its latest version and the history, newest first. */
    async templateFamily(
      familyId: string,
    ): Promise<{ latest: TemplateView; versions: TemplateView[] }> {
      const rows = await repo.family(db, familyId);
      if (!rows.length) throw templateNotFound();
      const versions = rows.map(templateView);
      return { latest: versions[0]!, versions };
    },

    async getTemplate(id: string): Promise<TemplateView> {
      const row = await repo.template(db, id);
      if (!row) throw templateNotFound();
      return templateView(row);
    },

    /** Saves version 1 of a new template; unknown merge fields are refused field by field. */
    async createTemplate(actor: Actor, input: TemplateInput): Promise<TemplateView> {
      if (!isAdmin(actor)) throw adminOnly();
      const fields = checkTemplate(input);
      if (Object.keys(fields).length) throw validationError(fields);
      return db.transaction(async (tx) => {
        const row = await repo.insertTemplate(tx, {
          familyId: randomUUID(),
          version: 1,
          ...versionOf(input, actor),
        });
        await audit.record(tx, actor, {
          action: 'template.create',
          subjectType: 'reply_template',
          subjectId: row.id,
        });
        return templateView(row);
      });
    },

    /**
     * Saves an edit as version n+1; `version` is the one the editor started from, so two
     * editors cannot silently overwrite each other (409).
     */
    async reviseTemplate(
      actor: Actor,
      familyId: string,
      input: TemplateInput & { version: number },
    ): Promise<TemplateView> {
      if (!isAdmin(actor)) throw adminOnly();
      const [latest] = await repo.family(db, familyId);
      if (!latest) throw templateNotFound();
      const fields = checkTemplate(input);
      if (Object.keys(fields).length) throw validationError(fields);
      if (latest.version !== input.version) throw staleTemplate();
      try {
        return await db.transaction(async (tx) => {
          const row = await repo.insertTemplate(tx, {
            familyId,
            version: latest.version + 1,
            ...versionOf(input, actor),
          });
          await audit.record(tx, actor, {
            action: 'template.revise',
            subjectType: 'reply_template',
            subjectId: row.id,
            justification: `version ${row.version}`,
          });
          return templateView(row);
        });
      } catch (error) {
        if (error instanceof TemplateVersionTaken) throw staleTemplate();
        throw error;
      }
    },
  };
}
