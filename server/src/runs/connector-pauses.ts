/**
 * Connectors an admin's alert rule paused (server/src/alerts/). The run pipeline and the lists
 * ask synchronously, from memory: a pause is checked on every run and every list, and must cost
 * nothing there.
 */
export interface ConnectorPauses {
  isPaused(connectorId: string): boolean;
}

/** What agents, apps and automations are told about a paused connector. */
export function describePause(connectorName: string): {
  code: 'CONNECTOR_PAUSED';
  message: string;
} {
  return { code: 'CONNECTOR_PAUSED', message: `"${connectorName}" is paused by the admin.` };
}
