import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Plugin } from 'rollup';

// Resolved from the project folder (where `npm start` runs), as the Zendesk preview's host is.
const ENTRY = resolve('server/src/preview/salesforce/record-page-entry.js');
const STAND_INS_DIR = resolve('server/src/preview/salesforce/lwc');
const APEX_BRIDGE = 'preview/apex';
/** The SFDX project's components: the `c` namespace, as Salesforce names them. */
export const SFDX_LWC_DIR = resolve('salesforce-lwc/force-app/main/default/lwc');

const APEX_METHOD = /^@salesforce\/apex\/([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/;
const VIRTUAL = '\0salesforce-apex:';

/**
 * `@salesforce/apex` and `@salesforce/apex/Class.method` exist only inside Salesforce: here each
 * method becomes a module of its own that asks the preview server, through the bridge.
 */
function apexModules(): Plugin {
  return {
    name: 'preview-salesforce-apex',
    resolveId(source) {
      if (source === '@salesforce/apex' || APEX_METHOD.test(source)) return VIRTUAL + source;
      return null;
    },
    load(id) {
      if (!id.startsWith(VIRTUAL)) return null;
      const source = id.slice(VIRTUAL.length);
      const method = APEX_METHOD.exec(source);
      if (!method) return `export { refreshApex } from '${APEX_BRIDGE}';`;
      return (
        `import { createApexMethod } from '${APEX_BRIDGE}';\n` +
        `export default createApexMethod(${JSON.stringify(method[1])}, ${JSON.stringify(method[2])});`
      );
    },
  };
}

/** The engine that matches the compiler of the `lwc` package the rollup plugin comes from. */
function engineModules(): { name: string; path: string }[] {
  const requireFromLwc = createRequire(import.meta.resolve('lwc'));
  return [
    { name: 'lwc', path: requireFromLwc.resolve('@lwc/engine-dom') },
    { name: '@lwc/synthetic-shadow', path: requireFromLwc.resolve('@lwc/synthetic-shadow') },
  ];
}

function sfdxModules(): { name: string; path: string }[] {
  return readdirSync(SFDX_LWC_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'))
    .map((entry) => ({
      name: `c/${entry.name}`,
      path: join(SFDX_LWC_DIR, entry.name, `${entry.name}.js`),
    }));
}

/** The LWC compiler's error with the file and line it names (rollup keeps them as fields). */
function describeBuildError(error: unknown): string {
  const fields = error as { message?: unknown; id?: unknown; loc?: { line?: number } };
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const where =
    typeof fields.id === 'string'
      ? ` (${fields.id}${fields.loc?.line ? `:${fields.loc.line}` : ''})`
      : '';
  return message + where;
}

/**
 * Compiles the SFDX project's components for the browser with the LWC compiler (its rollup
 * plugin), with stand-ins for the lightning base components and Salesforce's modules, into one
 * script. Rollup and the LWC compiler are development dependencies, loaded only here.
 */
export async function bundleRecordPage(): Promise<string> {
  const [{ rollup }, lwcPlugin, esbuild] = await Promise.all([
    import('rollup'),
    import('lwc/rollup-plugin'),
    import('esbuild'),
  ]);
  const build = await rollup({
    input: ENTRY,
    plugins: [
      apexModules(),
      lwcPlugin.default({
        modules: [{ dir: STAND_INS_DIR }, ...sfdxModules(), ...engineModules()],
        defaultModules: [],
      }),
    ],
    onwarn: (warning, warn) => {
      // An import nothing resolves would fail in the browser, not here: stop the build instead.
      if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(warning.message);
      warn(warning);
    },
  }).catch((error: unknown) => {
    throw new Error(describeBuildError(error));
  });
  const { output } = await build.generate({ format: 'iife' });
  await build.close();
  // The engine reads process.env.NODE_ENV; the production build has no dev-mode checks to pay for.
  const result = await esbuild.transform(output[0].code, {
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: true,
    target: 'es2020',
  });
  return result.code;
}
