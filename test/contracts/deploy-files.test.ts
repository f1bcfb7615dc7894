import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLE_NAMES, parseEnv } from '../../server/src/env/parse-env';

/**
 * docs/deploy.md, deploy/env.example, the systemd unit and the Dockerfile describe how the server
 * runs; they drift from the code silently. These checks tie them to what the server reads and
 * what `npm start` runs.
 */

const read = (path: string) => readFileSync(path, 'utf8');
const deployDoc = read('docs/deploy.md');
const envExample = read('deploy/env.example');
const unit = read('deploy/data-connectors.service');
const dockerfile = read('Dockerfile');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** The variables in the doc's environment table: its first column, in backticks. */
function tableVariables(markdown: string): string[] {
  const section = markdown.slice(markdown.indexOf('## The environment'));
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_<>]*)` +\|/gm)].map((match) => match[1] ?? '');
}

/** `npm start`'s node command line: `node <flags> dist/server.mjs`. */
const startCommand = (packageJson.scripts.start ?? '').replace(/^exec /, '').split(/\s+/);

describe('the deploy docs and files', () => {
  it('lists every variable the server reads in one table, and nothing it does not read', () => {
    const documented = tableVariables(deployDoc);
    expect(documented.length).toBeGreaterThan(0);
    expect(documented.filter((name) => name !== 'SECRET_<NAME>').sort()).toEqual(
      [...ENV_VARIABLE_NAMES].sort(),
    );
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('has every variable in deploy/env.example', () => {
    const inExample = new Set(
      [...envExample.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]),
    );
    expect(ENV_VARIABLE_NAMES.filter((name) => !inExample.has(name))).toEqual([]);
  });

  it('starts the server in the unit and the image exactly as npm start does', () => {
    expect(startCommand[0]).toBe('node');
    const execStart = /^ExecStart=(\S+) (.+)$/m.exec(unit);
    expect(execStart?.[1]).toMatch(/\/node$/);
    expect(execStart?.[2]?.split(' ')).toEqual(startCommand.slice(1));
    const cmd = /^CMD (\[.+\])$/m.exec(dockerfile);
    expect(JSON.parse(cmd?.[1] ?? '[]')).toEqual(startCommand);
  });

  it('exposes the default port and builds what the server serves', () => {
    const env = parseEnv({});
    expect(env.ok && env.value.port).toBe(Number(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]));
    // The sidebar and console assets and the bundle come from the build stage, made by npm
    // start's prestart.
    const build = 'npm run zendesk:build && npm run console:build && npm run build:server';
    expect(packageJson.scripts.prestart).toBe(build);
    expect(dockerfile).toContain(`RUN ${build}`);
    expect(dockerfile).toContain('COPY --from=build /app/zendesk-app/assets ./zendesk-app/assets');
    expect(dockerfile).toContain(
      'COPY --from=build /app/admin-console/assets ./admin-console/assets',
    );
    expect(dockerfile).toContain('COPY --from=build /app/dist ./dist');
    // The unit may write only where the server writes: DATA_DIR under its working directory.
    const workingDirectory = /^WorkingDirectory=(.+)$/m.exec(unit)?.[1];
    expect(unit).toContain(`ReadWritePaths=${workingDirectory}/${env.ok ? env.value.dataDir : ''}`);
  });
});
