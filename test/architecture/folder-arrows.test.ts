import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The house (docs/architecture.md): server/src is folders (helpdesks, stores, pipeline,
 * surfaces) whose runtime imports point one way. eslint's import-x/no-cycle catches cycles
 * between files; this catches them between folders, where a second helpdesk or store would
 * otherwise start to lean on the code that uses it. Type-only imports carry no code and are
 * not arrows.
 */

const ROOT = 'server/src';
const IMPORT = /^import\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms;

function folderOf(path: string): string {
  const rel = relative(ROOT, path);
  return rel.includes('/') ? (rel.split('/')[0] as string) : '(root)';
}

function readArrows(): Map<string, Set<string>> {
  const arrows = new Map<string, Set<string>>();
  const files = (readdirSync(ROOT, { recursive: true }) as string[]).filter(
    (file) => file.endsWith('.ts') && !file.includes('.test.'),
  );
  for (const file of files) {
    const path = join(ROOT, file);
    const from = folderOf(path);
    for (const match of readFileSync(path, 'utf8').matchAll(IMPORT)) {
      if (match[1]) continue;
      const target = normalize(join(dirname(path), match[2] as string));
      if (relative(ROOT, target).startsWith('..')) continue;
      const to = folderOf(target);
      if (to === from) continue;
      arrows.set(from, (arrows.get(from) ?? new Set()).add(to));
    }
  }
  return arrows;
}

function findCycle(arrows: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (folder: string): string[] | undefined => {
    state.set(folder, 'open');
    path.push(folder);
    for (const next of arrows.get(folder) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(folder, 'done');
    return undefined;
  };
  for (const folder of arrows.keys()) {
    if (!state.has(folder)) {
      const cycle = visit(folder);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

describe('the folders of server/src', () => {
  const arrows = readArrows();

  it('import each other one way only', () => {
    expect(findCycle(arrows)).toBeUndefined();
  });

  it('keep the pipeline and the stores free of any helpdesk', () => {
    for (const folder of ['runs', 'compile', 'workflows', 'run-log', 'storage', 'api', 'http']) {
      expect([...(arrows.get(folder) ?? [])], folder).not.toContain('helpdesks');
    }
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const looped = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['a'])],
    ]);
    expect(findCycle(looped)).toEqual(['a', 'b', 'a']);
  });
});
