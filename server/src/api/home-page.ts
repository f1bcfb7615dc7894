import { escapeHtml } from '../http/html';

/** The docs in the repository a new admin reads first, by what they answer. */
const DOCS: readonly [string, string][] = [
  ['README.md', 'Quickstart, configuration and the API in brief'],
  ['docs/connectors.md', 'Writing connectors'],
  ['docs/automations.md', 'Workflows and macros'],
  ['docs/zendesk.md', 'Installing the Zendesk sidebar app'],
  ['docs/salesforce.md', 'Installing the Salesforce component'],
  ['docs/admin.md', 'The admin console: connectors, edits, tests, logs, versions, alerts'],
  ['docs/api.md', 'The HTTP API'],
  ['docs/ai-agents.md', 'Connectors as tools for AI agents (MCP)'],
  ['docs/security.md', 'What is trusted and how'],
];

/**
 * `GET /`: where to go from here, for someone who opened the server's address in a browser. Links
 * only to pages this server has (the preview is mounted in the sandbox and in tests).
 */
export function renderHomePage(options: {
  mode: 'sandbox' | 'live';
  preview: boolean;
  salesforcePreview: boolean;
}): string {
  const links = [
    ...(options.preview
      ? ['<li><a href="/preview">/preview</a>: the Zendesk sidebar on sandbox tickets</li>']
      : []),
    ...(options.salesforcePreview
      ? [
          '<li><a href="/preview/salesforce">/preview/salesforce</a>: the Salesforce component on sandbox records</li>',
        ]
      : []),
    `<li><a href="/admin">/admin</a>: the admin console (sign in with the admin token${options.mode === 'sandbox' ? ', <code>sandbox-admin-token</code> in the sandbox' : ''})</li>`,
    '<li><a href="/health">/health</a>: whether the configuration loaded, and its warnings</li>',
  ];
  const docs = DOCS.map(
    ([path, about]) => `<li><code>${escapeHtml(path)}</code>: ${escapeHtml(about)}</li>`,
  );
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Data Connectors</title>',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#2f3941}',
    'code{background:#f8f9f9;padding:0 .25rem}a{color:#1f73b7}</style></head><body>',
    `<h1>Data Connectors</h1><p>This server is running in ${options.mode} mode.</p>`,
    `<ul>${links.join('')}</ul>`,
    `<h2>Docs</h2><p>In the repository:</p><ul>${docs.join('')}</ul>`,
    '</body></html>',
  ].join('\n');
}
