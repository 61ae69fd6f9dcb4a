/**
 * Merge fields for reply templates (docs/rules/correspondence.md §6). Templates are Nunjucks,
 * but only the names below may appear: a template is parsed on save and anything else (an
 * unknown name, a filter, a function call, an include, a set) is refused with a field error.
 * Rendering uses its own Environment, with no loaders, `autoescape` and `throwOnUndefined`.
 */
import nunjucks from 'nunjucks';
import type { FieldErrors } from '../platform/errors.js';

export const MERGE_FIELDS = [
  'reference',
  'contact.salutation',
  'contact.fullName',
  'receivedDate',
  'dueDate',
  'extendedDueDate',
  'caseworker.name',
  'caseworker.jobTitle',
  'office.name',
  'office.address',
  'mp.name',
  'constituent.fullName',
  'icoRights',
] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

export const MERGE_FIELD_HINTS: Record<MergeField, string> = {
  reference: 'The case reference, like OPCC-2026-00123',
  'contact.salutation': 'How to address the requester (their name if no salutation is recorded)',
  'contact.fullName': 'The requester’s full name',
  receivedDate: 'The date the case was received',
  dueDate: 'The date the reply is due',
  extendedDueDate: 'The extended due date, when the deadline was lawfully extended',
  'caseworker.name': 'The name of the caseworker (the assignee, or the sender)',
  'caseworker.jobTitle': 'The caseworker’s job title',
  'office.name': 'The name of the office',
  'office.address': 'The office’s postal address',
  'mp.name': 'The MP, for MP enquiries',
  'constituent.fullName': 'The constituent an MP wrote on behalf of',
  icoRights: 'The requester’s rights: internal review and complaint to the ICO',
};

/** The values one reply merges in; a missing value is left undefined, so using it fails. */
export interface MergeValues {
  reference: string;
  contact?: { salutation?: string; fullName?: string };
  receivedDate: string;
  dueDate?: string;
  extendedDueDate?: string;
  caseworker?: { name?: string; jobTitle?: string };
  office: { name: string; address: string };
  mp?: { name?: string };
  constituent?: { fullName?: string };
  icoRights?: string;
}

/** The separate environment replies render in: no loaders, so no include or import can work. */
const env = new nunjucks.Environment([], { autoescape: true, throwOnUndefined: true });

interface AstNode {
  typename: string;
  value?: unknown;
  children?: AstNode[];
  target?: AstNode;
  val?: AstNode;
  cond?: AstNode;
  body?: AstNode;
  else_?: AstNode | null;
  expr?: AstNode;
  lineno?: number;
}

const ALLOWED = new Set<string>(MERGE_FIELDS);

/** `contact.salutation` from a Symbol / LookupVal chain with literal keys, else undefined. */
function pathOf(node: AstNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.typename === 'Symbol' && typeof node.value === 'string') return node.value;
  if (node.typename === 'LookupVal' && node.val?.typename === 'Literal') {
    const base = pathOf(node.target);
    return base && typeof node.val.value === 'string' ? `${base}.${node.val.value}` : undefined;
  }
  return undefined;
}

/** Human wording for what was found, for the field error. */
function describe(node: AstNode): string {
  const path = pathOf(node);
  if (path) return `{{ ${path} }}`;
  switch (node.typename) {
    case 'Filter':
      return 'a filter';
    case 'FunCall':
      return 'a function call';
    default:
      return `“${node.typename.toLowerCase()}”`;
  }
}

/**
 * The problems in a template source, or an empty list. Allowed: text, `{{ field }}` and
 * `{% if field %}…{% else %}…{% endif %}` (optionally `if not field`) on the fields above.
 */
export function mergeProblems(source: string): string[] {
  let root: AstNode;
  try {
    root = (nunjucks as unknown as { parser: { parse(src: string): AstNode } }).parser.parse(
      source,
    );
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error))
      .replace(/^\(unknown path\)\s*/, '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join(' ');
    return [`The template cannot be read: ${message}`];
  }
  const problems = new Set<string>();
  const field = (node: AstNode) => {
    const path = pathOf(node);
    if (!path) problems.add(`Only merge fields can be used, not ${describe(node)}`);
    else if (!ALLOWED.has(path)) problems.add(`{{ ${path} }} is not a merge field`);
  };
  const walk = (node: AstNode | null | undefined) => {
    if (!node) return;
    switch (node.typename) {
      case 'Root':
      case 'NodeList':
        node.children?.forEach(walk);
        return;
      case 'Output':
        for (const child of node.children ?? []) {
          if (child.typename !== 'TemplateData') field(child);
        }
        return;
      case 'If':
      case 'InlineIf':
        if (node.cond?.typename === 'Not') field(node.cond.target!);
        else field(node.cond!);
        walk(node.body);
        walk(node.else_);
        return;
      default:
        problems.add(`Only merge fields and “if” blocks can be used, not ${describe(node)}`);
    }
  };
  walk(root);
  return [...problems];
}

/** Field errors for a template's subject and body (empty when both are acceptable). */
export function checkTemplateText(input: { subject: string; body: string }): FieldErrors {
  const fields: FieldErrors = {};
  const subject = mergeProblems(input.subject);
  if (subject.length) fields.subject = subject.join('. ');
  const body = mergeProblems(input.body);
  if (body.length) fields.body = body.join('. ');
  return fields;
}

/** Undoes the HTML escaping autoescape applied to merged values: replies go out as text/plain. */
const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
};
const toPlainText = (html: string) => html.replace(/&(amp|quot|#39|lt|gt);/g, (m) => ENTITIES[m]!);

export class MergeError extends Error {}

/**
 * Renders a checked template with one case's values. A field the case has no value for
 * (say `mp.name` on a letter from the public) throws a MergeError naming it.
 */
export function renderTemplate(source: string, values: MergeValues): string {
  const problems = mergeProblems(source);
  if (problems.length) throw new MergeError(problems.join('. '));
  try {
    return toPlainText(env.renderString(source, values));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const missing = /attempted to output null or undefined value/.test(message)
      ? firstMissing(source, values)
      : undefined;
    throw new MergeError(
      missing
        ? `This case has no value for {{ ${missing} }}: choose another template or write the text yourself`
        : 'The template could not be merged',
    );
  }
}

function firstMissing(source: string, values: MergeValues): string | undefined {
  for (const field of MERGE_FIELDS) {
    if (!source.includes(field)) continue;
    const value = field
      .split('.')
      .reduce<unknown>(
        (obj, key) =>
          obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined,
        values,
      );
    if (value === undefined || value === null) return field;
  }
  return undefined;
}

/** Where a requester complains to the regulator, for the `icoRights` texts below. */
const ICO_ADDRESS =
  'Information Commissioner’s Office (ICO), Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF, or at ico.org.uk/make-a-complaint';

/** What the requester may do next, by case type (the `icoRights` merge field). */
export function icoRightsText(type: string): string {
  if (type === 'foi' || type === 'eir')
    return [
      'If you are unhappy with how we handled your request, you can ask for an internal review. Write to us within 40 working days of this reply, quoting the reference above.',
      '',
      `If you are still unhappy after the review, you can complain to the ${ICO_ADDRESS}.`,
    ].join('\n');
  if (type === 'sar' || type === 'complaint')
    return [
      'If you are unhappy with how we have handled your personal data, please tell us first so we can put it right.',
      '',
      `You also have the right to complain to the ${ICO_ADDRESS}.`,
    ].join('\n');
  return 'If you are unhappy with this reply, please write to us quoting the reference above. You can also complain to the Information Commissioner’s Office (ICO) at ico.org.uk/make-a-complaint about how we handle personal data.';
}
