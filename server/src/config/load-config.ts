import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type {
  ConfigSchemas,
  Connector,
  ConnectorConfig,
} from '../../../shared/src/config/connector-config-schema';
import type { Result } from '../../../shared/src/result';
import type { CompileFailure, CompileSuccess, ConfigIssue } from '../compile/compiled-model';
import { describeZodIssues } from './describe-zod-issue';
import { formatJsonPath } from './located-issue';
import type { LocatedIssue } from './located-issue';
import { locateJsonSyntaxError, toLineColumn } from './locate-json-syntax-error';
import { createJsonPathLocator } from './locate-json-path';

/**
 * Reads the connector config from disk: one JSON file, or a folder of `*.json` files merged into
 * one config. Every problem comes back located in the file the admin edits, never in the merged
 * form the server builds, so the message leads straight to the line to fix.
 */

export const DEFAULT_CONFIG_PATH = 'config/connectors.json';

/** The compile step, injected so loading can be tested (and reused) without secrets at hand. */
export type CompileConfigFn<TCompiled> = (
  config: ConnectorConfig,
) => Result<CompileSuccess<TCompiled>, CompileFailure>;

export interface LoadConfigDeps<TCompiled> {
  /** The file format, with the groups of the helpdesks the server runs with (compile/config-format.ts). */
  schema: ConfigSchema;
  compile: CompileConfigFn<TCompiled>;
}

export type ConfigSchema = ConfigSchemas['connectorConfigSchema'];

export interface LoadedConfig<TCompiled> {
  compiled: TCompiled;
  warnings: LocatedIssue[];
  files: string[];
  /** Each file's text as it was read and accepted: what a config version keeps. */
  sources: { file: string; text: string }[];
  /** The merged, validated config the compiled form was built from. */
  config: ConnectorConfig;
}

/** Every issue found, each in the file an admin edits. */
export interface LoadConfigFailure {
  issues: LocatedIssue[];
}

export type LoadConfigResult<TCompiled> = Result<LoadedConfig<TCompiled>, LoadConfigFailure>;

interface SourceFile {
  /** As shown to admins: the configured path, joined with the file name in folder mode. */
  file: string;
}

type ListFilesResult = Result<SourceFile[], LoadConfigFailure>;

type JsonPathLocator = ReturnType<typeof createJsonPathLocator>;

type ParseFileResult = Result<
  { config: ConnectorConfig; locate: JsonPathLocator; text: string },
  LoadConfigFailure
>;

interface ConnectorOrigin {
  file: string;
  index: number;
}

/**
 * Loads, validates, merges and compiles the config at `path` (a file or a folder of `*.json`).
 *
 * @example
 * const result = await loadConfigSource('config/connectors.json', {
 *   schema: format.schemas.connectorConfigSchema,
 *   compile: (config) => compileConfig(config, { format, secrets }),
 * });
 * if (!result.ok) console.error(formatConfigIssues(result.error.issues));
 */
export async function loadConfigSource<TCompiled>(
  path: string,
  deps: LoadConfigDeps<TCompiled>,
  /**
   * File texts to use instead of what is on disk, by absolute path (the console validates an
   * edit this way before it writes anything). In a config folder, a new `*.json` joins the set.
   */
  overrides: ReadonlyMap<string, string> = new Map(),
): Promise<LoadConfigResult<TCompiled>> {
  const listed = await listSourceFiles(path, overrides);
  if (!listed.ok) return listed;

  const issues: LocatedIssue[] = [];
  const parsed: { file: string; config: ConnectorConfig; text: string }[] = [];
  const locators = new Map<string, JsonPathLocator>();
  const files = listed.value;
  for (const source of files) {
    const result = await readConfigFile(
      source.file,
      deps.schema,
      overrides.get(resolve(source.file)),
    );
    if (result.ok) {
      parsed.push({ file: source.file, config: result.value.config, text: result.value.text });
      locators.set(source.file, result.value.locate);
    } else issues.push(...result.error.issues);
  }

  const merged = mergeConfigs(parsed);
  issues.push(...merged.issues);
  if (issues.length > 0) return failWith(issues);

  const fallbackFile = files.length === 1 ? (files[0]?.file ?? path) : path;
  const locate = (issue: ConfigIssue): LocatedIssue => {
    const located = locateMergedPath(issue.path, merged, fallbackFile);
    return {
      file: located.file,
      path: formatJsonPath(located.path),
      message: issue.message,
      hint: issue.hint,
      severity: issue.severity,
      ...locators.get(located.file)?.(located.path),
    };
  };

  const compiled = deps.compile(merged.config);
  if (!compiled.ok) return failWith(compiled.error.issues.map(locate));
  return {
    ok: true,
    value: {
      compiled: compiled.value.compiled,
      warnings: compiled.value.warnings.map(locate),
      files: files.map((source) => source.file),
      sources: parsed.map(({ file, text }) => ({ file, text })),
      config: merged.config,
    },
  };
}

async function listSourceFiles(
  path: string,
  overrides: ReadonlyMap<string, string>,
): Promise<ListFilesResult> {
  const absolute = resolve(path);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(absolute)).isDirectory();
  } catch (error) {
    return failWith([describeFsError(path, absolute, error)]);
  }
  if (!isDirectory) return { ok: true, value: [{ file: path }] };

  let names: string[];
  try {
    const entries = await readdir(absolute, { withFileTypes: true });
    // Dotfiles are skipped so editor lock and backup files (".#jira.json") never load as config.
    names = entries
      .filter((entry) => !entry.isDirectory() && entry.name.endsWith('.json'))
      .map((entry) => entry.name)
      .filter((name) => !name.startsWith('.'))
      .concat(
        [...overrides.keys()]
          .filter((file) => dirname(file) === absolute && basename(file).endsWith('.json'))
          .map((file) => basename(file))
          .filter((name) => !name.startsWith('.')),
      )
      .filter((name, index, all) => all.indexOf(name) === index)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    return failWith([describeFsError(path, absolute, error)]);
  }
  if (names.length === 0) {
    return failWith([
      issueAt(
        path,
        [],
        `No *.json files in the config folder ${absolute}`,
        'add a file such as connectors.json holding { "connections": {}, "connectors": [] }',
      ),
    ]);
  }
  return { ok: true, value: names.map((name) => ({ file: join(path, name) })) };
}

/** Reads one file and validates it on its own, so its issues carry its own paths. */
async function readConfigFile(
  file: string,
  schema: ConfigSchema,
  override: string | undefined,
): Promise<ParseFileResult> {
  let bytes: Buffer;
  try {
    bytes = override === undefined ? await readFile(resolve(file)) : Buffer.from(override, 'utf8');
  } catch (error) {
    return failWith([describeFsError(file, resolve(file), error)]);
  }

  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) return failWith([{ ...decoded.error, file }]);
  const text = decoded.value;

  if (text.trim() === '') {
    return failWith([
      issueAt(
        file,
        [],
        'The file is empty',
        'add at least { "connections": {}, "connectors": [] }',
      ),
    ]);
  }

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return failWith([describeSyntaxError(file, text, error)]);
  }

  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const got = data === null ? 'null' : Array.isArray(data) ? 'an array' : `a ${typeof data}`;
    return failWith([
      issueAt(
        file,
        [],
        `The file must hold a JSON object, got ${got}`,
        Array.isArray(data)
          ? 'put the list under "connectors": { "connectors": [ … ] }'
          : 'use { "connections": { … }, "connectors": [ … ] }',
      ),
    ]);
  }

  const locate = createJsonPathLocator(text);
  const result = schema.safeParse(data);
  if (!result.success) {
    return failWith(
      describeZodIssues(result.error.issues, schema, data).map((issue) => ({
        ...issueAt(file, issue.path, issue.message, issue.hint),
        ...locate(issue.path),
      })),
    );
  }
  return { ok: true, value: { config: result.data, locate, text } };
}

/** The text, or the issue to report in the file being read. */
type DecodeResult = Result<string, Omit<LocatedIssue, 'file'>>;

function decodeUtf8(bytes: Buffer): DecodeResult {
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    return {
      ok: false,
      error: {
        path: '$',
        message: 'The file is encoded as UTF-16',
        hint: 'save the file as UTF-8',
        severity: 'error',
      },
    };
  }
  // Some Windows editors prepend a UTF-8 byte order mark, which JSON.parse rejects.
  const body =
    bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(body) };
  } catch {
    const lenient = body.toString('utf8');
    const { line, column } = toLineColumn(lenient, Math.max(0, lenient.indexOf('\uFFFD')));
    return {
      ok: false,
      error: {
        path: '$',
        message: `The file is not valid UTF-8 (first bad byte near line ${line}, column ${column})`,
        hint: 'save the file as UTF-8',
        severity: 'error',
        line,
        column,
      },
    };
  }
}

function describeSyntaxError(file: string, text: string, error: unknown): LocatedIssue {
  const located = locateJsonSyntaxError(text);
  if (!located) {
    // JSON.parse and the scanner disagree: still report the failure rather than hide it.
    return issueAt(
      file,
      [],
      `Invalid JSON: ${error instanceof Error ? error.message : String(error)}`,
      'check for a trailing comma or a missing quote',
    );
  }
  return {
    file,
    path: '$',
    message: `Invalid JSON at line ${located.line}, column ${located.column}: ${located.message}`,
    hint: located.hint,
    severity: 'error',
    line: located.line,
    column: located.column,
  };
}

function describeFsError(shown: string, absolute: string, error: unknown): LocatedIssue {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return issueAt(
      shown,
      [],
      `Config not found: ${absolute}`,
      'create the file (or a folder of *.json files) there, or point the server at the right path',
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return issueAt(
      shown,
      [],
      `Config not readable: ${absolute}`,
      'give the server user read permission on the file or folder',
    );
  }
  return issueAt(
    shown,
    [],
    `Cannot read config ${absolute} (${code ?? 'unknown error'})`,
    'check that the path is a readable file or folder',
  );
}

function failWith(issues: LocatedIssue[]): { ok: false; error: LoadConfigFailure } {
  return { ok: false, error: { issues } };
}

function issueAt(
  file: string,
  path: readonly (string | number)[],
  message: string,
  hint: string,
): LocatedIssue {
  return { file, path: formatJsonPath(path), message, hint, severity: 'error' };
}

interface MergedConfig {
  config: ConnectorConfig;
  connectorOrigins: ConnectorOrigin[];
  connectionOrigins: Map<string, string>;
  /** Where each merged workflow and macro came from, by its index in the merged list. */
  workflowOrigins: ConnectorOrigin[];
  macroOrigins: ConnectorOrigin[];
  issues: LocatedIssue[];
}

/**
 * Merges files in name order. Connections are shared by id across files, so an id defined twice
 * is an error: silently letting the later file win would send requests to a host the admin of
 * the first file never chose.
 */
function mergeConfigs(parsed: readonly { file: string; config: ConnectorConfig }[]): MergedConfig {
  const connections: ConnectorConfig['connections'] = {};
  const connectionOrigins = new Map<string, string>();
  const connectors: Connector[] = [];
  const connectorOrigins: ConnectorOrigin[] = [];
  const workflows: ConnectorConfig['workflows'] = [];
  const workflowOrigins: ConnectorOrigin[] = [];
  const macros: ConnectorConfig['macros'] = [];
  const macroOrigins: ConnectorOrigin[] = [];
  const issues: LocatedIssue[] = [];

  for (const { file, config } of parsed) {
    for (const [id, connection] of Object.entries(config.connections)) {
      const first = connectionOrigins.get(id);
      if (first !== undefined) {
        issues.push(
          issueAt(
            file,
            ['connections', id],
            `Connection "${id}" is defined in both ${first} and ${file}`,
            `keep one definition of "${id}" (connectors in any file can use it), or rename one of them`,
          ),
        );
        continue;
      }
      connectionOrigins.set(id, file);
      connections[id] = connection;
    }
    config.connectors.forEach((connector, index) => {
      connectors.push(connector);
      connectorOrigins.push({ file, index });
    });
    config.workflows.forEach((workflow, index) => {
      workflows.push(workflow);
      workflowOrigins.push({ file, index });
    });
    config.macros.forEach((macro, index) => {
      macros.push(macro);
      macroOrigins.push({ file, index });
    });
  }
  return {
    config: { connections, connectors, workflows, macros },
    connectorOrigins,
    connectionOrigins,
    workflowOrigins,
    macroOrigins,
    issues,
  };
}

/** Maps a path into the merged config back to the file and path an admin edits. */
function locateMergedPath(
  path: readonly (string | number)[],
  merged: MergedConfig,
  fallbackFile: string,
): { file: string; path: (string | number)[] } {
  const [section, key, ...rest] = path;
  if (section === 'connectors' && typeof key === 'number') {
    const origin = merged.connectorOrigins[key];
    if (origin) return { file: origin.file, path: ['connectors', origin.index, ...rest] };
  }
  if ((section === 'workflows' || section === 'macros') && typeof key === 'number') {
    const origins = section === 'workflows' ? merged.workflowOrigins : merged.macroOrigins;
    const origin = origins[key];
    if (origin) return { file: origin.file, path: [section, origin.index, ...rest] };
  }
  if (section === 'connections' && typeof key === 'string') {
    const file = merged.connectionOrigins.get(key);
    if (file !== undefined) return { file, path: [...path] };
  }
  return { file: fallbackFile, path: [...path] };
}
