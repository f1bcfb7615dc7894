import { parseEnv } from './env/parse-env';
import { startServer } from './start-server';
import { stdoutLines } from './logging/logger';

/** `npm start`: the service, in sandbox mode unless a Zendesk account is configured. */
const parsed = parseEnv(process.env);
if (!parsed.ok) {
  process.stderr.write(
    `Cannot start: the environment is not valid:\n  ${parsed.error.problems.join('\n  ')}\n`,
  );
  process.exit(1);
}
const env = parsed.value;
const started = await startServer(env);
if (!started.ok) {
  process.stderr.write(`Cannot start: ${started.error.message}\n`);
  process.exit(1);
}
const server = started.value;

// A bug in one request must not take the service down; it is logged and the server goes on.
process.on('unhandledRejection', (reason) =>
  server.logger.error('unhandled promise rejection', { error: reason }),
);
process.on('uncaughtException', (error) => server.logger.error('uncaught exception', { error }));

const stop = (signal: string) => {
  server.logger.info('shutting down', { signal });
  void server.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));

const status = server.configStore.status();
const lines = [
  '',
  `Data Connectors is running at ${server.url} (${env.mode} mode)`,
  `  config:  ${env.configPath} ${status.ok ? `(${server.configStore.current()?.connectors.size ?? 0} connectors)` : '(NOT LOADED: see the log and /health)'}`,
  `  health:  ${server.url}/health`,
  `  admin:   ${server.url}/admin (the console: sign in with the admin token)`,
];
if (env.mode === 'sandbox') {
  lines.push(
    `  preview: ${server.url}/preview (the Zendesk sidebar on sandbox tickets)`,
    `           ${server.url}/preview/salesforce (the Salesforce component on sandbox records)`,
    `  sandbox Zendesk API: ${server.url}/sandbox/zendesk/api/v2/tickets/1.json`,
    `  sandbox mail: ${server.url}/sandbox/mail (verification codes and alert emails)`,
    `  AI agents (MCP): ${server.url}/mcp, with a key from: npm run connectors -- agent-keys create <name> --connectors '*'`,
    `  admin token (sandbox only): ${env.adminToken}`,
    ...(env.tokenEncryption?.sandboxDefault
      ? [
          "  OAuth tokens: sealed with the sandbox's public default key; set TOKEN_ENCRYPTION_KEY (openssl rand -base64 32) to keep them private",
        ]
      : []),
    '',
    '  Try it:',
    `  curl -s -X POST ${server.url}/api/connectors/shopify_order_lookup/run \\`,
    `    -H "Authorization: Bearer ${env.adminToken}" -H "Content-Type: application/json" \\`,
    `    -d '{"ticketId": 1}'`,
  );
}
if (env.mode === 'live' && !env.tokenEncryption) {
  lines.push(
    '  OAuth authorization code connections: off until TOKEN_ENCRYPTION_KEY is set (docs/deploy.md)',
  );
}
// Through the log's buffer, so the banner follows the lines logged while starting.
stdoutLines().push(`${lines.join('\n')}\n`, true);
