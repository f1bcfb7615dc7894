import * as z from 'zod';

/**
 * What travels between the preview host page (browser) and the preview router (server). The
 * host script imports the types only, so zod stays out of the browser bundle.
 */

/**
 * The options a ZAF app passes to `client.request`, as the SDK forwards them unchanged. The
 * keys are those of zaf-toolbox's `IRequestOptions`; anything else is refused, so a typo in the
 * app shows up in the preview instead of being silently ignored.
 */
export const zafRequestOptionsSchema = z.strictObject({
  url: z.string().min(1),
  type: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']))
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  data: z.unknown().optional(),
  contentType: z.union([z.string(), z.boolean()]).optional(),
  dataType: z.string().optional(),
  secure: z.boolean().optional(),
  cors: z.boolean().optional(),
  jwt: z
    .strictObject({
      algorithm: z.string(),
      secret_key: z.string(),
      expiry: z.number().int().positive().optional(),
      claims: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  httpCompleteResponse: z.boolean().optional(),
  timeout: z.number().int().nonnegative().optional(),
  autoRetry: z.boolean().optional(),
  accepts: z.unknown().optional(),
  cache: z.boolean().optional(),
  crossDomain: z.boolean().optional(),
  ifModified: z.boolean().optional(),
  mimeType: z.string().optional(),
  traditional: z.boolean().optional(),
  xhrFields: z.record(z.string(), z.unknown()).optional(),
});
export type ZafRequestOptions = z.infer<typeof zafRequestOptionsSchema>;

/** Body of `POST /preview/proxy`. */
export const proxyCallSchema = z.strictObject({
  ticketId: z.number().int().positive(),
  options: z.unknown(),
});
export type ProxyCall = z.infer<typeof proxyCallSchema>;

/**
 * The proxied answer, close to what jQuery's XHR exposes: status 0 means no HTTP answer
 * (network failure or timeout), as in a browser.
 */
export interface ProxyReply {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  responseText: string;
}

/** A custom field as the preview's ticket form shows it. */
export interface PreviewField {
  id: number;
  title: string;
  type: string;
  options: { name: string; value: string }[];
}

export interface PreviewComment {
  id: number;
  body: string;
  authorId: number;
  authorName: string;
  public: boolean;
  createdAt: string;
}

export interface PreviewUser {
  id: number;
  name: string;
  email: string | null;
  role: string | null;
  locale: string;
}

/** Everything the host page knows about the open ticket; embedded in the page as JSON. */
export interface PreviewTicket {
  id: number;
  subject: string;
  description: string;
  status: string;
  priority: string | null;
  type: string | null;
  tags: string[];
  requester: { id: number; name: string; email: string | null } | null;
  organization: { id: number; name: string } | null;
  assignee: PreviewUser | null;
  createdAt: string | null;
  updatedAt: string;
  /** Stored values keyed by field id (as a string). */
  customFields: Record<string, unknown>;
  comments: PreviewComment[];
}

/** Embedded in the page: no secret, ever (a test checks the page for it). */
export interface PreviewState {
  ticket: PreviewTicket;
  fields: PreviewField[];
  currentUser: PreviewUser;
  settings: { server_url: string; title: string };
  appGuid: string;
  installationId: number;
  appId: number;
  /** The page signs the sidebar's load with a key Zendesk never published. */
  forgedSignature: boolean;
}
