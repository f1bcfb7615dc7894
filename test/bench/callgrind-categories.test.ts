import { describe, expect, it } from 'vitest';
import {
  categoryOf,
  parseAnnotatedFunctions,
  readCallgrindSummary,
  sumByCategory,
} from '../../bench/support/callgrind-categories';

// Lines as callgrind_annotate 3.19 prints them (`--inclusive=no --show=Ir`), from a server run.
const ANNOTATED = `--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
2,707,368,538 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                   file:function
--------------------------------------------------------------------------------
90,528,423 ( 3.34%)  ???:void v8::internal::MarkingVisitorBase<v8::internal::ConcurrentMarkingVisitor, v8::internal::ConcurrentMarkingState>::ProcessStrongHeapObject [/usr/bin/node]
63,860,000 ( 2.36%)  ???:v8::internal::JsonStringifier::SerializeString(v8::internal::Handle<v8::internal::String>) [/usr/bin/node]
50,000,000 ( 1.85%)  ???:Builtins_KeyedLoadIC_Megamorphic [/usr/bin/node]
48,100,000 ( 1.78%)  ???:v8::internal::LookupIterator::State v8::internal::LookupIterator::LookupInRegularHolder<false>(v8::internal::Map, v8::internal::JSReceiver) [/usr/bin/node]
31,500,000 ( 1.16%)  ???:v8::internal::JSObject::MigrateToMap(v8::internal::Isolate*, v8::internal::Handle<v8::internal::JSObject>, v8::internal::Handle<v8::internal::Map>, int) [/usr/bin/node]
30,000,000 ( 1.11%)  ???:v8::internal::compiler::GraphReducer::ReduceTop() [/usr/bin/node]
 9,910,682 ( 0.37%)  ???:0x000000000d13a700 [???]
 7,600,000 ( 0.28%)  ???:Builtins_ArrayIteratorPrototypeNext [/usr/bin/node]
 6,500,000 ( 0.24%)  ???:v8::internal::String::ComputeAndSetRawHash() [/usr/bin/node]
 5,000,000 ( 0.18%)  ./string/../sysdeps/x86_64/multiarch/memmove-vec-unaligned-erms.S:__memcpy_avx_unaligned_erms [/usr/lib/x86_64-linux-gnu/libc.so.6]
 2,500,000 ( 0.09%)  ???:ada::url_aggregator ada::parser::parse_url_impl<ada::url_aggregator, true>(std::basic_string_view<char, std::char_traits<char> >) [/usr/bin/node]
`;

describe('reading callgrind for instructions-per-run', () => {
  it('reads every function line and skips the totals and headers', () => {
    const functions = parseAnnotatedFunctions(ANNOTATED);
    expect(functions).toHaveLength(11);
    expect(functions[0]).toEqual({
      instructions: 90_528_423,
      name: expect.stringContaining('MarkingVisitorBase') as string,
    });
    expect(functions.some((fn) => fn.name.includes('PROGRAM TOTALS'))).toBe(false);
  });

  it('sorts functions by what they were spent on', () => {
    const cases: [string, string][] = [
      ['???:0x000000000d13a700 [???]', 'compiled JavaScript'],
      ['???:void v8::internal::MarkingVisitorBase<X>::Visit [/usr/bin/node]', 'garbage collection'],
      [
        '???:v8::internal::Sweeper::RawSweep(v8::internal::Page*) [/usr/bin/node]',
        'garbage collection',
      ],
      ['???:v8::internal::compiler::GraphReducer::ReduceTop() [/usr/bin/node]', 'JIT compiler'],
      ['???:v8::internal::JsonParser<unsigned char>::ScanJsonString(bool) [/usr/bin/node]', 'JSON'],
      ['???:Builtins_LoadIC_Megamorphic [/usr/bin/node]', 'property access off the fast path'],
      [
        '???:v8::internal::JSObject::MigrateToMap(X) [/usr/bin/node]',
        'property access off the fast path',
      ],
      ['???:Builtins_CreateDataProperty [/usr/bin/node]', 'property access off the fast path'],
      ['???:Builtins_ArrayIteratorPrototypeNext [/usr/bin/node]', 'builtins'],
      ['???:v8::internal::String::ComputeAndSetRawHash() [/usr/bin/node]', 'other V8'],
      [
        './malloc/./malloc/malloc.c:malloc [/usr/lib/x86_64-linux-gnu/libc.so.6]',
        'native (libc, SQLite, Node, URL)',
      ],
      ['???:ada::parser::parse_url_impl(X) [/usr/bin/node]', 'native (libc, SQLite, Node, URL)'],
      ['???:node::fs::WriteBuffer(X) [/usr/bin/node]', 'native (libc, SQLite, Node, URL)'],
    ];
    for (const [name, category] of cases)
      expect([name, categoryOf(name)]).toEqual([name, category]);
  });

  it('sums each category, leaving none out', () => {
    const functions = parseAnnotatedFunctions(ANNOTATED);
    const sums = sumByCategory(functions);
    const total = functions.reduce((sum, fn) => sum + fn.instructions, 0);
    expect(Object.values(sums).reduce((sum, value) => sum + value, 0)).toBe(total);
    expect(sums['property access off the fast path']).toBe(50_000_000 + 48_100_000 + 31_500_000);
    expect(sums['JIT compiler']).toBe(30_000_000);
  });

  it('reads the summary line by event name, and refuses a file without one', () => {
    const text = 'version: 1\nevents: Ir Dr Dw I1mr\nsummary: 100 20 10 3\nfn=(1) main\n';
    expect(readCallgrindSummary(text)).toEqual({ Ir: 100, Dr: 20, Dw: 10, I1mr: 3 });
    expect(() => readCallgrindSummary('events: Ir Dr\nfn=(1) main\n')).toThrow(/summary/);
  });
});
