import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { applyEdits, findNodeAtLocation, modify, parseTree } from 'jsonc-parser';
import type { Node } from 'jsonc-parser';
import type { Result } from '../../../shared/src/result';
import type { LoadConfigResult } from '../config/load-config';
import type { LocatedIssue } from '../config/located-issue';
import type {
  ConfigVersionStore,
  ConfigVersionSummary,
} from '../config-versions/config-version-store';
import { writeFileAtomically } from '../config-versions/rollback-config';

/**
 * The console edits one connector at a time, but the JSON files stay the source of truth: an
 * edit becomes a change to the text of the file that holds the connector (the rest of the file,
 * its order and formatting untouched), checked as the whole config the server would load, and
 * written only if that config is valid. A rejected save leaves every file as it was.
 */

export interface ConfigSources {
  configPath: string;
  /** The texts of the files the served config came from. */
  sources: () => readonly { file: string; text: string }[];
  validate: (overrides: ReadonlyMap<string, string>) => Promise<LoadConfigResult<unknown>>;
  reload: () => Promise<unknown>;
  versions: ConfigVersionStore;
}

export interface ConnectorSource {
  file: string;
  /** Its position in the file's `connectors` array. */
  index: number;
  /** The connector's JSON as written in the file. */
  connector: unknown;
  /** The file's text hash: a save names it, so an edit made meanwhile is not overwritten. */
  fileHash: string;
}

export type EditError =
  | { code: 'CONNECTOR_NOT_FOUND'; message: string }
  | { code: 'CONFIG_INVALID'; message: string; issues: LocatedIssue[] }
  | { code: 'CONFIG_CHANGED'; message: string }
  | { code: 'CONNECTOR_EXISTS'; message: string }
  | { code: 'CONNECTION_EXISTS'; message: string }
  | { code: 'CONFIG_WRITE_FAILED'; message: string };

export interface SavedEdit {
  file: string;
  version: ConfigVersionSummary;
  warnings: LocatedIssue[];
}

const FORMATTING = { insertSpaces: true, tabSize: 2, eol: '\n' };

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function connectorsArray(text: string): Node | undefined {
  const tree = parseTree(text);
  const node = tree ? findNodeAtLocation(tree, ['connectors']) : undefined;
  return node?.type === 'array' ? node : undefined;
}

/** Where a connector is written: the file and its index there, read from the served texts. */
export function findConnectorSource(
  sources: readonly { file: string; text: string }[],
  connectorId: string,
): ConnectorSource | undefined {
  for (const source of sources) {
    const array = connectorsArray(source.text);
    for (const [index, node] of (array?.children ?? []).entries()) {
      const idNode = findNodeAtLocation(node, ['id']);
      if (idNode?.value === connectorId) {
        const connector: unknown = JSON.parse(
          source.text.slice(node.offset, node.offset + node.length),
        );
        return { file: source.file, index, connector, fileHash: hashText(source.text) };
      }
    }
  }
  return undefined;
}

/** The file's text with the connector at `index` replaced (or, with `index` -1, appended). */
export function writeConnectorInto(text: string, index: number, connector: unknown): string {
  const array = connectorsArray(text);
  const at = index < 0 ? (array?.children?.length ?? 0) : index;
  const edits = modify(text, ['connectors', at], connector, {
    formattingOptions: FORMATTING,
    ...(index < 0 ? { isArrayInsertion: true } : {}),
  });
  const edited = applyEdits(text, edits);
  return edited.endsWith('\n') ? edited : `${edited}\n`;
}

/** A config holding only this connector (and its connection), for a new file in a config folder. */
function newFileWith(connector: unknown, connection?: NewConnection): string {
  const connections = connection ? { [connection.id]: connection.value } : {};
  return `${JSON.stringify({ connections, connectors: [connector] }, null, 2)}\n`;
}

/** A connection added together with a new connector (from a template or a draft). */
export interface NewConnection {
  id: string;
  value: unknown;
}

export type ConnectorEdit =
  | { kind: 'update'; connectorId: string; fileHash?: string }
  | { kind: 'create'; connection?: NewConnection };

/**
 * The connection as the served files define it, if any. The same definition again is fine (a
 * second connector from one template); a different one under the same id would silently change
 * what the existing connectors call, so it is refused.
 */
function findConnection(
  sources: readonly { file: string; text: string }[],
  id: string,
): { file: string; value: unknown } | undefined {
  for (const source of sources) {
    const tree = parseTree(source.text);
    const node = tree ? findNodeAtLocation(tree, ['connections', id]) : undefined;
    if (node) {
      return {
        file: source.file,
        value: JSON.parse(source.text.slice(node.offset, node.offset + node.length)) as unknown,
      };
    }
  }
  return undefined;
}

function addConnectionInto(text: string, connection: NewConnection): string {
  return applyEdits(
    text,
    modify(text, ['connections', connection.id], connection.value, {
      formattingOptions: FORMATTING,
    }),
  );
}

async function isFolder(path: string): Promise<boolean> {
  return stat(resolve(path)).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** What the edit would make of the files, or why it cannot be made. */
async function planEdit(
  deps: ConfigSources,
  edit: ConnectorEdit,
  connector: unknown,
): Promise<Result<{ file: string; text: string }, EditError>> {
  const sources = deps.sources();
  const newId =
    connector && typeof connector === 'object' && 'id' in connector ? connector.id : undefined;
  if (edit.kind === 'update') {
    const found = findConnectorSource(sources, edit.connectorId);
    if (!found) {
      return {
        ok: false,
        error: {
          code: 'CONNECTOR_NOT_FOUND',
          message: `There is no connector "${edit.connectorId}" in the served config.`,
        },
      };
    }
    if (edit.fileHash !== undefined && edit.fileHash !== found.fileHash) {
      return {
        ok: false,
        error: {
          code: 'CONFIG_CHANGED',
          message: `${found.file} changed since you opened it; reload the connector and apply your edit again.`,
        },
      };
    }
    const text = sources.find((source) => source.file === found.file)?.text ?? '';
    return {
      ok: true,
      value: { file: found.file, text: writeConnectorInto(text, found.index, connector) },
    };
  }
  if (typeof newId === 'string' && findConnectorSource(sources, newId)) {
    return {
      ok: false,
      error: { code: 'CONNECTOR_EXISTS', message: `A connector "${newId}" already exists.` },
    };
  }
  let connection = edit.connection;
  if (connection) {
    const existing = findConnection(sources, connection.id);
    if (existing && !isDeepStrictEqual(existing.value, connection.value)) {
      return {
        ok: false,
        error: {
          code: 'CONNECTION_EXISTS',
          message: `A different connection "${connection.id}" already exists in ${existing.file}; choose another connection id, or use the existing one.`,
        },
      };
    }
    if (existing) connection = undefined;
  }
  if (await isFolder(deps.configPath)) {
    // In a config folder each new connector gets a file of its own, named after it.
    const name =
      typeof newId === 'string' && /^[a-z][a-z0-9_-]*$/.test(newId) ? newId : 'new-connector';
    const file = join(deps.configPath, `${name}.json`);
    if (sources.some((source) => resolve(source.file) === resolve(file))) {
      return {
        ok: false,
        error: { code: 'CONNECTOR_EXISTS', message: `${file} already exists.` },
      };
    }
    return { ok: true, value: { file, text: newFileWith(connector, connection) } };
  }
  const text = sources.find((source) => resolve(source.file) === resolve(deps.configPath))?.text;
  if (text === undefined) {
    return {
      ok: false,
      error: {
        code: 'CONFIG_CHANGED',
        message: 'No config is being served; fix the config file first (see /health).',
      },
    };
  }
  const withConnection = connection ? addConnectionInto(text, connection) : text;
  return {
    ok: true,
    value: { file: deps.configPath, text: writeConnectorInto(withConnection, -1, connector) },
  };
}

/** The whole config the server would load with the planned file text; nothing is written. */
async function loadPlanned(
  deps: ConfigSources,
  planned: { file: string; text: string },
): Promise<Result<LoadedEdit, EditError>> {
  const loaded = await deps.validate(new Map([[resolve(planned.file), planned.text]]));
  if (loaded.ok) return loaded;
  return {
    ok: false,
    error: {
      code: 'CONFIG_INVALID',
      message: 'The config would not load with this change; nothing was saved.',
      issues: loaded.error.issues,
    },
  };
}

type LoadedEdit = Extract<LoadConfigResult<unknown>, { ok: true }>['value'];

/** Checks an edit as the whole config the server would load; nothing is written. */
export async function checkConnectorEdit(
  deps: ConfigSources,
  edit: ConnectorEdit,
  connector: unknown,
): Promise<Result<{ file: string; warnings: LocatedIssue[] }, EditError>> {
  const planned = await planEdit(deps, edit, connector);
  if (!planned.ok) return planned;
  const loaded = await loadPlanned(deps, planned.value);
  if (!loaded.ok) return loaded;
  return { ok: true, value: { file: planned.value.file, warnings: loaded.value.warnings } };
}

/**
 * Validates, then writes the file atomically, keeps the result as a config version by `author`
 * and reloads. Invalid: nothing is written and the issues say where and how to fix them.
 */
export async function saveConnectorEdit(
  deps: ConfigSources,
  edit: ConnectorEdit,
  connector: unknown,
  author: string,
): Promise<Result<SavedEdit, EditError>> {
  const planned = await planEdit(deps, edit, connector);
  if (!planned.ok) return planned;
  const { file, text } = planned.value;
  const loaded = await loadPlanned(deps, planned.value);
  if (!loaded.ok) return loaded;
  const written = await writeFileAtomically(file, text);
  if (!written.ok) return written;
  // Kept with its author before the reload: the reload's own record then finds the same texts.
  const recorded = await deps.versions.record({
    author,
    connectors: loaded.value.config.connectors.length,
    files: loaded.value.sources,
  });
  await deps.reload();
  return { ok: true, value: { file, version: recorded.version, warnings: loaded.value.warnings } };
}
