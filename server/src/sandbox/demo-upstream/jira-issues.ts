import { timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import type { ErrorRequestHandler, Request } from 'express';
import { z } from 'zod';
import { escapeHtml } from '../../http/html';

/**
 * Issue creation in the shape of Jira Cloud's REST API v3 (`POST /rest/api/3/issue`).
 * Behaviour connector authors run into, as Jira documents or answers it:
 * - Basic auth with `email:api_token`;
 * - errors come as `{"errorMessages": [...], "errors": {field: message}}` with 400;
 * - v3 takes `description` only as an Atlassian Document (ADF), not a plain string;
 * - labels may not contain spaces; unknown fields are refused;
 * - success is 201 `{"id", "key", "self"}` with keys counting up per project.
 */
export interface CreatedIssue {
  id: string;
  key: string;
  self: string;
  fields: {
    project: { key: string };
    summary: string;
    issuetype: { name: string };
    description: unknown;
    labels: string[];
    [name: string]: unknown;
  };
  created: string;
}

const ISSUE_TYPES = ['Task', 'Bug', 'Story', 'Epic'];
const KNOWN_FIELDS = ['project', 'summary', 'issuetype', 'description', 'labels', 'priority'];

const adfDocSchema = z.looseObject({
  type: z.literal('doc'),
  version: z.literal(1),
  content: z.array(z.unknown()),
});

function jiraError(errors: Record<string, string>, errorMessages: string[] = []) {
  return { errorMessages, errors };
}

function equalSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isAuthorized(req: Request, credentials: { email: string; apiToken: string }): boolean {
  const header = req.get('Authorization') ?? '';
  if (!/^basic /i.test(header)) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  return equalSecret(decoded, `${credentials.email}:${credentials.apiToken}`);
}

type ValidatedFields =
  | { ok: true; fields: CreatedIssue['fields'] }
  | { ok: false; errors: Record<string, string>; errorMessages: string[] };

function validateIssueFields(body: unknown, projectKeys: readonly string[]): ValidatedFields {
  const envelope = z.looseObject({ fields: z.record(z.string(), z.unknown()) }).safeParse(body);
  if (!envelope.success) {
    return {
      ok: false,
      errors: {},
      errorMessages: ['Request body must contain a "fields" object.'],
    };
  }
  const raw = envelope.data.fields;
  const errors: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    if (!KNOWN_FIELDS.includes(name) && !name.startsWith('customfield_')) {
      errors[name] =
        `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
  }
  const project = z.looseObject({ key: z.string() }).safeParse(raw.project);
  if (!project.success || !projectKeys.includes(project.data.key)) {
    errors.project = 'valid project is required';
  }
  const summary = z.string().trim().min(1).safeParse(raw.summary);
  if (!summary.success) errors.summary = 'You must specify a summary of the issue.';
  const issueType = z.looseObject({ name: z.string() }).safeParse(raw.issuetype);
  if (!issueType.success || !ISSUE_TYPES.includes(issueType.data.name)) {
    errors.issuetype = 'Specify a valid issue type';
  }
  if (raw.description !== undefined && raw.description !== null) {
    if (!adfDocSchema.safeParse(raw.description).success) {
      errors.description =
        'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
    }
  }
  const labels = z.array(z.string()).safeParse(raw.labels ?? []);
  if (!labels.success) errors.labels = 'The labels field must be an array of strings.';
  else {
    const spaced = labels.data.find((label) => /\s/.test(label));
    if (spaced !== undefined)
      errors.labels = `The label '${spaced}' contains spaces which is invalid.`;
  }
  if (
    Object.keys(errors).length > 0 ||
    !project.success ||
    !summary.success ||
    !issueType.success
  ) {
    return { ok: false, errors, errorMessages: [] };
  }
  return {
    ok: true,
    fields: {
      ...raw,
      project: { key: project.data.key },
      summary: summary.data,
      issuetype: { name: issueType.data.name },
      description: raw.description ?? null,
      labels: labels.success ? labels.data : [],
    },
  };
}

const handleJsonErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if ((error as { type?: unknown } | null)?.type === 'entity.parse.failed') {
    res.status(400).json(jiraError({}, ['Unexpected character in request body: not valid JSON.']));
    return;
  }
  next(error);
};

export function createJiraIssuesRouter(options: {
  credentials: { email: string; apiToken: string };
  projectKeys: readonly string[];
  createdIssues: CreatedIssue[];
  now: () => Date;
}): Router {
  const router = Router();
  let nextId = 10001;
  const nextNumber = new Map<string, number>();

  router.use('/rest/api/3', (req, res, next) => {
    if (isAuthorized(req, options.credentials)) return next();
    res.status(401).json(jiraError({}, ['Client must be authenticated to access this resource.']));
  });
  router.use('/rest/api/3', express.json(), handleJsonErrors);

  router.post('/rest/api/3/issue', (req, res) => {
    const validated = validateIssueFields(req.body, options.projectKeys);
    if (!validated.ok)
      return res.status(400).json(jiraError(validated.errors, validated.errorMessages));
    const projectKey = validated.fields.project.key;
    const number = nextNumber.get(projectKey) ?? 1;
    nextNumber.set(projectKey, number + 1);
    const id = String(nextId);
    nextId += 1;
    const self = `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}/rest/api/3/issue/${id}`;
    const issue: CreatedIssue = {
      id,
      key: `${projectKey}-${number}`,
      self,
      fields: validated.fields,
      created: options.now().toISOString(),
    };
    options.createdIssues.push(issue);
    res.status(201).json({ id: issue.id, key: issue.key, self: issue.self });
  });

  router.get('/rest/api/3/issue/:idOrKey', (req, res) => {
    const issue = options.createdIssues.find(
      (entry) => entry.id === req.params.idOrKey || entry.key === req.params.idOrKey,
    );
    if (!issue) {
      return res
        .status(404)
        .json(jiraError({}, ['Issue does not exist or you do not have permission to see it.']));
    }
    res.json({
      id: issue.id,
      key: issue.key,
      self: issue.self,
      fields: { ...issue.fields, created: issue.created, status: { name: 'To Do' } },
    });
  });

  // The page a person opens from the issue link (Jira's `/browse/KEY`), so the sandbox's links go
  // somewhere; the real one needs a Jira login, this one only shows what was created.
  router.get('/browse/:key', (req, res) => {
    const issue = options.createdIssues.find((entry) => entry.key === req.params.key);
    if (!issue) return res.status(404).type('text/plain').send('Issue does not exist.');
    res
      .type('html')
      .send(
        `<!doctype html><meta charset="utf-8"><title>${escapeHtml(issue.key)}</title>` +
          `<h1>${escapeHtml(issue.key)}: ${escapeHtml(issue.fields.summary)}</h1>` +
          `<p>Sandbox Jira issue, created ${escapeHtml(issue.created)}.</p>`,
      );
  });

  return router;
}
