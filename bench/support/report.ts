/** What each benchmark module returns; run-benchmarks.ts prints it and writes it as JSON. */
export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  /** undefined when the measurement could not be made (reported, not failed). */
  met: boolean | undefined;
}

export interface BenchmarkReport {
  name: string;
  title: string;
  /** Table rows; every row has the same keys, in print order. */
  rows: Record<string, string | number>[];
  targets: TargetCheck[];
  notes?: string[];
  data?: unknown;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchmarkReport>;
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
