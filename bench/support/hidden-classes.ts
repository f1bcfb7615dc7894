import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Hidden classes (V8 "maps") a process creates while it serves runs, read from V8's own log.
 *
 * A run should reuse the hidden classes of the runs before it. When it does not, every run
 * makes new ones in old space (a map and a copy of its descriptors for each property added),
 * which only a full collection frees, and every function that reads those objects meets a shape
 * it has not seen, so its property reads go the slow way. On Node 20 (V8 11.3) an object literal
 * that starts with a spread and then adds a property, `{ ...base, more }`, does exactly that:
 * docs/performance.md, "Object literals on the run path".
 */

/** The flags that make V8 write the log this module reads. */
export function hiddenClassLogFlags(logFile: string): string[] {
  return ['--log-maps', '--log-code', `--logfile=${logFile}`, '--no-logfile-per-isolate'];
}

/** Property names no other object has: adding one marks the window's edge in the log. */
export const HIDDEN_CLASS_WINDOW_MARKERS = {
  start: '__hiddenClassWindowStart__',
  end: '__hiddenClassWindowEnd__',
} as const;

/**
 * Marks the start or the end of the counted window in the log: adding a property no object has
 * had makes V8 create (and log) a hidden class with that property's name.
 */
export function markHiddenClassWindow(edge: 'start' | 'end'): void {
  const marker: Record<string, number> = {};
  marker[HIDDEN_CLASS_WINDOW_MARKERS[edge]] = 1;
}

export interface HiddenClassSite {
  /** Where V8 was running: the function, its file and its line, as V8's code log names them. */
  code: string;
  /** The line and column in that file where the hidden class was made. */
  position: string;
  /** What made it: V8's reason, and the property added for a transition. */
  what: string;
  count: number;
}

export interface HiddenClassCount {
  /** Hidden classes created inside the window (V8 events that make a map; cache hits excluded). */
  created: number;
  /** The sites that made them, most first. */
  sites: HiddenClassSite[];
}

interface CodeRange {
  start: number;
  end: number;
  name: string;
}

/**
 * Counts the hidden classes V8 logged between the two marks. Events V8 answers from a cache
 * (`NormalizeCached`) make no new map and are not counted.
 */
export async function countHiddenClasses(logFile: string): Promise<HiddenClassCount> {
  const code: CodeRange[] = [];
  // By the code address that made them; named from the code log once the file is read.
  const seen = new Map<
    string,
    { pc: number; order: number; position: string; what: string; count: number }
  >();
  let inWindow = false;
  let created = 0;
  const lines = createInterface({ input: createReadStream(logFile), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.startsWith('code-creation,')) {
      // code-creation,<type>,<kind>,<time>,<start>,<size>,<name>[,<sfi>,<state>]
      const fields = line.split(',');
      const start = Number.parseInt(fields[4] ?? '', 16);
      const size = Number(fields[5]);
      if (Number.isFinite(start) && Number.isFinite(size)) {
        code.push({ start, end: start + size, name: fields[6] ?? '' });
      }
      continue;
    }
    if (!line.startsWith('map,') || line.startsWith('map,NormalizeCached,')) continue;
    // map,<type>,<time>,<from>,<to>,<pc>,<line>,<column>,<reason>,<name>
    const fields = line.split(',');
    const name = fields.at(-1) ?? '';
    if (name === HIDDEN_CLASS_WINDOW_MARKERS.start) {
      inWindow = true;
      continue;
    }
    if (name === HIDDEN_CLASS_WINDOW_MARKERS.end) break;
    if (!inWindow) continue;
    created += 1;
    const what = fields[1] === 'Transition' ? `Transition ${name}` : (fields[1] ?? '');
    const position = `${fields[6] ?? ''}:${fields[7] ?? ''}`;
    const key = `${fields[5] ?? ''} ${position} ${what}`;
    const known = seen.get(key);
    if (known) known.count += 1;
    else {
      seen.set(key, {
        pc: Number.parseInt(fields[5] ?? '', 16),
        // Code logged after this event cannot be what ran it (a freed range can be reused).
        order: code.length,
        position,
        what,
        count: 1,
      });
    }
  }
  // One site can run as several code objects (interpreted, then optimised): merged by name.
  const merged = new Map<string, HiddenClassSite>();
  for (const { pc, order, position, what, count } of seen.values()) {
    // The newest code object logged before the event that holds its address.
    let holder: CodeRange | undefined;
    for (let index = order - 1; index >= 0 && !holder; index -= 1) {
      const range = code[index]!;
      if (pc >= range.start && pc < range.end) holder = range;
    }
    const name = holder?.name ?? '(not in the code log)';
    const key = `${name} ${position} ${what}`;
    const known = merged.get(key);
    if (known) known.count += count;
    else merged.set(key, { code: name, position, what, count });
  }
  return { created, sites: [...merged.values()].sort((a, b) => b.count - a.count) };
}
