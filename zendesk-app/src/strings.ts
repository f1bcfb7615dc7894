/**
 * Every string the sidebar shows, in one place (English). Zendesk's translations/en.json only
 * carries the app's name and the settings labels; UI text lives here so a translation is one
 * file to copy.
 */
export const STRINGS = {
  appTitle: 'Data Connectors',
  loading: 'Loading connectors…',
  searchLabel: 'Search connectors and macros',
  searchPlaceholder: 'Search connectors and macros (Ctrl+K)',
  searchPlaceholderMac: 'Search connectors and macros (⌘K)',
  listLabel: 'Connectors and macros for this ticket',
  noConnectors: 'No connectors apply to this ticket.',
  noConnectorsHint:
    'Connectors show up here when their rules match the ticket (for example its tags).',
  noMatches: (query: string) => `No connector or macro matches “${query}”.`,
  connectorCount: (count: number) =>
    count === 1 ? '1 connector available.' : `${count} connectors available.`,
  neverRun: 'Not run on this ticket yet',
  lastRun: (outcome: string, when: string) => `Last run: ${outcome}, ${when}`,
  unavailable: 'Unavailable',
  /** An alert paused the connector until an admin resumes it (CONNECTOR_PAUSED). */
  paused: 'Paused by the admin',
  unavailableWhy: (name: string, why: string) => `${name} cannot run: ${why}`,
  takesComment: 'Runs on a comment',
  outcome: { success: 'Success', empty: 'Nothing found', failed: 'Failed' } as Record<
    string,
    string
  >,
  saveTicketFirst: 'Save the ticket first: connectors run on saved tickets.',
  /** Run log entries that are not a single connector run. */
  runKind: { workflow: 'Workflow', macro: 'Macro', verification: 'Customer verification' },

  // Macros: named bundles of connector steps, listed in a second group of the same list
  connectorsGroup: 'Connectors',
  macrosGroup: 'Macros',
  macroRuns: (names: string) => `Runs: ${names}`,
  macroCount: (count: number) =>
    count === 1 ? '1 macro available.' : `${count} macros available.`,
  macroConfirmHeading: (name: string) => `Run the macro “${name}”?`,
  macroConfirmIntro: 'This macro changes data in another system. In one go it will:',
  macroConfirmConnector: (name: string) => `run “${name}”`,
  macroConfirmWrites: 'update this ticket (fields, tags, internal note) as its steps say',
  macroStepsHeading: 'Steps',
  macroTimeout: 'The macro may still finish on the server.',
  macroListError: 'Macros could not be loaded.',
  macroResultAnnouncement: (name: string, outcome: string, message: string) =>
    `Macro ${name}: ${outcome}. ${message}`,

  yes: 'Yes',
  no: 'No',
  noValue: '—',
  justNow: 'just now',
  minutesAgo: (minutes: number) => `${minutes} min ago`,
  today: (time: string) => `today ${time}`,

  // The run panel
  back: 'Back to the list',
  inputsHeading: 'Inputs',
  fromTicket: 'From the ticket',
  fromOpenTicket: 'From the open ticket form (not saved yet)',
  readOnlyHint: 'Read from the saved ticket by the server.',
  requiredMark: '(required)',
  example: (value: string) => `e.g. ${value}`,
  run: 'Run',
  continue: 'Continue',
  cancel: 'Cancel',
  confirm: 'Confirm and run',
  confirmHeading: (name: string) => `Run “${name}”?`,
  confirmIntro: 'This connector changes data in another system.',
  confirmMethod: (method: string) => `It sends a ${method} request with the values below.`,
  confirmWrites: 'It may update this ticket with the result.',
  confirmComment: (author: string) => `Comment by ${author}`,
  running: (name: string) => `Running “${name}”…`,
  retry: 'Retry',
  runAgain: 'Run again',
  openLink: (label: string) => `Open ${label}`,
  newTab: '(opens in a new tab)',
  alreadyDoneHeading: (name: string) => `“${name}” already ran on this ticket`,
  alreadyDoneWhen: (when: string, by: string | null) =>
    by ? `It succeeded ${when}, run by ${by}.` : `It succeeded ${when}.`,
  alreadyDoneRisk: 'Running it again does it again (for example, a second issue).',
  runAnyway: 'Run it again anyway',
  outputsHeading: 'Result',
  redactedHint: 'Hidden by the connector’s settings',
  replayed: 'Shown from the earlier run with the same request.',
  savedOnTicket: (parts: string) => `Saved on the ticket: ${parts}.`,
  savedFields: (count: number) => (count === 1 ? '1 field' : `${count} fields`),
  savedTagsAdded: (tags: string) => `tags added (${tags})`,
  savedTagsRemoved: (tags: string) => `tags removed (${tags})`,
  savedNote: 'an internal note',
  writeFailed: (message: string) => `The ticket was not updated: ${message}`,
  resultAnnouncement: (name: string, outcome: string, message: string) =>
    `${name}: ${outcome}. ${message}`,

  // Run on a comment
  commentsHeading: 'Run on a comment',
  commentsToggle: 'Pick a comment…',
  commentsLabel: 'Comments on this ticket',
  commentsLoading: 'Loading comments…',
  noComments: 'This ticket has no comments yet.',
  noCommentConnectors: 'No connector here takes a comment.',
  pickComment: 'Pick the comment to run on',
  pickConnectorFor: (author: string) => `Run on the comment by ${author}:`,
  internalNote: 'Internal note',
  commentBy: (author: string, when: string) => `${author}, ${when}`,

  // Recent runs
  runsHeading: 'Recent runs on this ticket',
  runsEmpty: 'No runs on this ticket yet.',
  runsLoading: 'Loading recent runs…',
  runDetailsLoading: 'Loading the run log…',
  runBy: (name: string) => `by ${name}`,
  runLog: {
    inputs: 'Inputs',
    outputs: 'Outputs',
    request: 'Request',
    response: 'Response',
    writes: 'Ticket update',
    error: 'Error',
    attempts: 'Attempts',
    duration: 'Duration',
    runId: 'Run id',
    status: (status: number) => `HTTP ${status}`,
    items: (count: number) => (count === 1 ? '1 item' : `${count} items`),
    fields: (count: number) => (count === 1 ? '1 field' : `${count} fields`),
    more: (count: number) => `and ${count} more`,
  },

  validation: {
    required: 'is required',
    text: 'must be text',
    number: 'must be a number',
    integer: 'must be a whole number',
    boolean: 'must be true or false',
    date: 'must be a date (YYYY-MM-DD)',
    realDate: 'must be a real calendar date',
    email: 'must be an email address',
    maxLength: (max: number) => `must be at most ${max} characters`,
    summary: (count: number) =>
      count === 1 ? 'Fix 1 input before running.' : `Fix ${count} inputs before running.`,
  },

  errors: {
    unreachable: {
      title: 'Cannot reach the Data Connectors server',
      message: (url: string) => `${url || 'The server'} did not answer.`,
      hint: 'Check that the server is running and reachable from your network.',
    },
    timeout: {
      title: 'The server took too long to answer',
      message: 'The run may still finish on the server.',
      hint: 'Check “Recent runs” before running it again; Retry will not run it twice.',
    },
    auth: {
      title: 'The server did not accept your session',
      message: 'This app’s session could not be verified.',
      hint: 'Reload the ticket, so Zendesk signs the app again. Admin: check ZENDESK_APP_ID and ZENDESK_APP_INSTALLATION_ID on the server.',
    },
    sessionExpired: {
      title: 'Your session has ended',
      message: 'The app’s session with the server has run out.',
      hint: 'Reload the ticket: Zendesk signs the app again and a new session starts.',
    },
    ticketHidden: {
      title: 'This ticket is not available to you',
      hint: 'The app shows only tickets your Zendesk role lets you open.',
    },
    cannotEdit: {
      title: 'Your role cannot edit tickets',
      hint: 'This connector writes to the ticket. Ask an agent who can edit tickets to run it.',
    },
    input: {
      title: (names: string) => `Check the input: ${names}`,
      fallbackTitle: 'An input is missing or not valid',
    },
    config: {
      title: 'The server’s connector configuration is broken',
      message: 'No connector can run until an admin fixes it.',
      hint: 'Admin: run `npm run connectors -- check` on the server or open /health to see what is wrong.',
    },
    confirmation: {
      title: 'This connector needs your confirmation',
      hint: 'Reload the list and run it again; you will be asked to confirm.',
    },
    busy: {
      title: 'The server is busy',
      hint: 'Try again in a moment.',
    },
    helpdesk: {
      title: 'The server could not read this ticket from Zendesk',
      hint: 'Admin: check the server’s Zendesk API credentials (ZENDESK_* settings).',
    },
    notFound: { title: 'Not found' },
    forbidden: {
      title: 'Not allowed',
      hint: 'The server runs connectors only as far as your Zendesk role allows.',
    },
    invalidResponse: {
      title: 'The server’s answer could not be read',
      message: 'The app and the server may be different versions.',
      hint: 'Admin: update the app package to match the server.',
    },
    other: { title: 'The server refused the request' },
    zaf: {
      title: 'The app could not read this ticket from Zendesk',
      hint: 'Reload the ticket; if it keeps happening, reinstall the app.',
    },
    hostSilent: 'Zendesk did not answer the app. Reload the page to try again.',
    notInZendesk:
      'Open this page inside Zendesk (or at /preview on the server): it needs the Zendesk app framework.',
    notSigned:
      'This page was not loaded through Zendesk’s signature, so it has no session. Reload the ticket in Zendesk.',
    sessionEnded:
      'Your session with the Data Connectors server has ended. Reload the ticket to start a new one.',
    noDetails: 'The server gave no details.',
    comments: 'The comments could not be loaded.',
    runs: 'Recent runs could not be loaded.',
  },
  errorCode: (code: string, status: number) => (status ? `${code} (HTTP ${status})` : code),
} as const;
