import { readFileSync } from 'node:fs';

const SAMPLE_MS = 25;

/** A process's resident memory, from /proc (Linux). */
export function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib) * 1024;
}

export async function peakRssDuring(pid: number, work: () => Promise<unknown>): Promise<number> {
  let peak = readRss(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, readRss(pid));
  }, SAMPLE_MS);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, readRss(pid));
}
