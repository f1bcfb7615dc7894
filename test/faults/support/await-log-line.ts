/**
 * Resolves when the server writes a log line containing `text`, by watching the test stack's
 * log array as lines are pushed to it (no polling, no sleeps).
 */
export function awaitLogLine(
  logLines: string[],
  text: string,
  timeoutMs = 10_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const push = logLines.push.bind(logLines);
    const timer = setTimeout(() => {
      logLines.push = push;
      reject(new Error(`no log line containing "${text}" within ${timeoutMs} ms`));
    }, timeoutMs);
    logLines.push = (...lines: string[]) => {
      const length = push(...lines);
      const found = lines.find((line) => line.includes(text));
      if (found !== undefined) {
        clearTimeout(timer);
        logLines.push = push;
        resolve(found);
      }
      return length;
    };
  });
}
