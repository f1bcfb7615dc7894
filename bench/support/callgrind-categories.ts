/**
 * Reads `callgrind_annotate --inclusive=no --show=Ir` output and sorts a process's instructions
 * into what they were spent on. V8's optimised code has no symbols, so it is one bucket; the rest
 * of V8 is named C++ and builtins, which say whether the time went to property lookups that
 * missed their inline caches, to JSON, to the collector or to the compiler
 * (bench/instructions-per-run.ts, docs/performance.md).
 */

export const INSTRUCTION_CATEGORIES = [
  'compiled JavaScript',
  'builtins',
  'property access off the fast path',
  'JSON',
  'garbage collection',
  'JIT compiler',
  'native (libc, SQLite, Node, URL)',
  'other V8',
] as const;

export type InstructionCategory = (typeof INSTRUCTION_CATEGORIES)[number];

export interface AnnotatedFunction {
  instructions: number;
  name: string;
}

/** One line per function: `1,234 ( 0.5%)  file:function [object]`; totals and headers skipped. */
export function parseAnnotatedFunctions(text: string): AnnotatedFunction[] {
  const functions: AnnotatedFunction[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S.*)$/.exec(line);
    if (!match || match[2]?.includes('PROGRAM TOTALS')) continue;
    functions.push({
      instructions: Number(match[1]?.replaceAll(',', '')),
      name: (match[2] as string).trim(),
    });
  }
  return functions;
}

// Inline-cache builtins, runtime lookups and the map (hidden class) changes that a property
// access or a new property costs when the optimised code's fast path does not apply.
const PROPERTY_SLOW_PATH =
  /Builtins_\w*IC\w*|LookupIterator|MigrateToMap|Map::|DescriptorArray|TransitionsAccessor|FieldIndex|AddDataProperty|NameDictionary|FeedbackNexus|Builtins_CreateDataProperty|Builtins_CopyDataProperties|Builtins_SetDataProperties|Runtime_\w*Property|Runtime::GetObjectProperty|Runtime::SetObjectProperty|FastPropertyAt|DefineOwnProperty/;
const GARBAGE_COLLECTION =
  /Marking|Scaveng|Sweep|heap::base|Heap::|MemoryChunk|Evacuat|Compactor|RememberedSet|SlotSet|IterateAndScavenge|BodyDescriptor|ObjectVisitor|Worklist|GCTracer|MemoryAllocator/;
const JIT_COMPILER = /compiler::|turboshaft|maglev|baseline::|Pipeline|RegisterAllocator/i;

export function categoryOf(name: string): InstructionCategory {
  // Code V8 generated at run time: callgrind finds no symbol for it.
  if (/^\?\?\?:0x[0-9a-f]+/i.test(name)) return 'compiled JavaScript';
  if (JIT_COMPILER.test(name)) return 'JIT compiler';
  if (GARBAGE_COLLECTION.test(name)) return 'garbage collection';
  if (/Json/.test(name)) return 'JSON';
  if (PROPERTY_SLOW_PATH.test(name)) return 'property access off the fast path';
  if (/Builtins_/.test(name)) return 'builtins';
  if (/v8::|\[\/usr\/bin\/node\]$/.test(name) && !/node::|ada::|uv_|llhttp/.test(name)) {
    return 'other V8';
  }
  return 'native (libc, SQLite, Node, URL)';
}

export function sumByCategory(
  functions: readonly AnnotatedFunction[],
): Record<InstructionCategory, number> {
  const sums = Object.fromEntries(
    INSTRUCTION_CATEGORIES.map((category) => [category, 0]),
  ) as Record<InstructionCategory, number>;
  for (const { instructions, name } of functions) sums[categoryOf(name)] += instructions;
  return sums;
}

/** The `summary:` line of a callgrind output file: event name → count. */
export function readCallgrindSummary(text: string): Record<string, number> {
  const events = /^events: (.+)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
  const counts = /^summary: (.+)$/m.exec(text)?.[1]?.trim().split(/\s+/).map(Number) ?? [];
  if (events.length === 0 || counts.length !== events.length) {
    throw new Error('callgrind output without matching events: and summary: lines');
  }
  return Object.fromEntries(events.map((event, index) => [event, counts[index] as number]));
}
