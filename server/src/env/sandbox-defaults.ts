/**
 * The sandbox account's app, which sandbox mode's sidebar sessions are bound to. Here rather than
 * in the sandbox's seed data so that the environment parser (live code) never imports
 * server/src/sandbox; the seed re-exports it.
 */
export const SANDBOX_ZENDESK_APP = Object.freeze({
  subdomain: 'sandbox',
  appId: 1001,
  installationId: 2001,
});
