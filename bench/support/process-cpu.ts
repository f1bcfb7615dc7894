import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** What a measured process tells overhead-vs-floor before and after each slice. */
export interface CpuAnswer {
  cpu: NodeJS.CpuUsage;
  mainThreadUs: number;
  gcPauseMs: number;
  gcPauses: number;
  gcLongestMs: number;
  loopDelayMs: { p99: number; max: number };
}

/**
 * The main thread's CPU time in µs (Linux, from /proc; 10 ms ticks), to tell the JavaScript
 * thread from V8's and libuv's helper threads, which process.cpuUsage() adds in. NaN elsewhere.
 */
function readMainThreadCpuUs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5); the slice starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}

/**
 * Starts watching this process's GC pauses and event-loop delay; the returned function reads
 * them with its CPU time, and starts the longest pause and the delay afresh for the next slice.
 */
export function watchProcessCpu(): () => CpuAnswer {
  let gcPauseMs = 0;
  let gcPauses = 0;
  let gcLongestMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcPauseMs += entry.duration;
      gcPauses += 1;
      gcLongestMs = Math.max(gcLongestMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  return () => {
    const answer = {
      cpu: process.cpuUsage(),
      mainThreadUs: readMainThreadCpuUs(),
      gcPauseMs,
      gcPauses,
      gcLongestMs,
      loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    };
    gcLongestMs = 0;
    loopDelay.reset();
    return answer;
  };
}
