/**
 * Stand-in for lightning/uiRecordApi's notifyRecordUpdateAvailable: Salesforce then reloads the
 * record for every component on the page; the preview page registers how it reloads its record.
 */
let refreshRecords = async () => {};

/** The preview page's own hook (not a Salesforce API). */
export function setRecordRefresher(refresher) {
  refreshRecords = refresher;
}

export async function notifyRecordUpdateAvailable(recordIds) {
  if (!Array.isArray(recordIds) || recordIds.some((item) => !item || !item.recordId)) {
    throw new Error('notifyRecordUpdateAvailable takes [{ recordId }, ...]');
  }
  await refreshRecords(recordIds.map((item) => item.recordId));
}
