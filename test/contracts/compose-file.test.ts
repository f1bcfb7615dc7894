import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLE_NAMES, parseEnv } from '../../server/src/env/parse-env';

/**
 * compose.yaml (two instances on PostgreSQL behind Caddy) cannot be started here: no image
 * registry is reachable. These checks tie it to what the server reads instead, as
 * deploy-files.test.ts does for the Dockerfile and the systemd unit.
 */

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  profiles?: string[];
}

/** What `docker compose` would read with these values in .env: ${A:-default}, ${A:?error}. */
function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind, rest) => {
    const value = values[name];
    if (value !== undefined) return value;
    if (kind === '?') throw new Error(`compose would stop: ${name} is not set (${rest})`);
    return kind === '-' ? (rest as string) : '';
  });
}

const dotEnv = { CONNECTORS_DOMAIN: 'connectors.example.com', POSTGRES_PASSWORD: 'pw123' };
const compose = parse(interpolate(readFileSync('compose.yaml', 'utf8'), dotEnv), {
  merge: true,
}) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const instances = ['connectors-1', 'connectors-2'].map((name) => ({
  name,
  service: services[name] ?? {},
}));
const caddyfile = readFileSync('deploy/Caddyfile', 'utf8');

describe('compose.yaml', () => {
  it('stops with a message when the password or the domain is not set', () => {
    expect(() =>
      interpolate(readFileSync('compose.yaml', 'utf8'), { CONNECTORS_DOMAIN: 'x' }),
    ).toThrow('POSTGRES_PASSWORD');
  });

  it('gives both instances only variables the server reads, and a DATABASE_URL it accepts', () => {
    for (const { service } of instances) {
      const environment = service.environment ?? {};
      expect(Object.keys(environment).filter((name) => !ENV_VARIABLE_NAMES.includes(name))).toEqual(
        [],
      );
      const env = parseEnv({
        DATABASE_URL: environment.DATABASE_URL,
        DATABASE_SCHEMA: environment.DATABASE_SCHEMA,
        DATA_DIR: environment.DATA_DIR,
        CONNECTORS_CONFIG: environment.CONNECTORS_CONFIG,
        PORT: environment.PORT,
      });
      expect(env.ok && env.value.database).toEqual({
        url: 'postgres://connectors:pw123@postgres:5432/connectors',
        schema: 'connectors',
        poolSize: 10,
      });
    }
  });

  it("points DATABASE_URL at the postgres service's user and database, PostgreSQL 15", () => {
    const postgres = services.postgres ?? {};
    expect(postgres.image).toMatch(/^postgres:15/);
    const url = new URL(instances[0]?.service.environment?.DATABASE_URL ?? '');
    expect(url.hostname).toBe('postgres');
    expect(decodeURIComponent(url.username)).toBe(postgres.environment?.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(postgres.environment?.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${postgres.environment?.POSTGRES_DB}`);
    expect(postgres.healthcheck?.test).toContain('pg_isready');
    for (const { service } of instances) {
      expect(service.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    }
  });

  it('shares one config folder and gives each instance a data folder of its own', () => {
    const mountOf = (service: Service, path: string | undefined) =>
      service.volumes?.find((volume) => volume.split(':')[1] === path)?.split(':')[0];
    const dataVolumes = instances.map(({ service }) =>
      mountOf(service, service.environment?.DATA_DIR),
    );
    expect(new Set(dataVolumes).size).toBe(2);
    for (const volume of dataVolumes) expect(compose.volumes).toHaveProperty(volume ?? '');
    const configMounts = instances.map(({ service }) =>
      mountOf(service, dirname(service.environment?.CONNECTORS_CONFIG ?? '')),
    );
    expect(configMounts[0]).toBe('/etc/data-connectors/config');
    expect(configMounts[1]).toBe(configMounts[0]);
  });

  it('health-checks each instance on /health at the port it listens on', () => {
    for (const { service } of instances) {
      expect(service.healthcheck?.test?.join(' ')).toContain(
        `http://127.0.0.1:${service.environment?.PORT}/health`,
      );
      expect(service.ports).toBeUndefined();
    }
  });

  it('puts Caddy in front on 443 with deploy/Caddyfile, balancing both instances', () => {
    const proxy = services.proxy ?? {};
    expect(proxy.image).toMatch(/^caddy:2/);
    expect(proxy.ports).toEqual(['80:80', '443:443']);
    expect(proxy.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(existsSync('deploy/Caddyfile')).toBe(true);
    const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddyfile)?.[1]?.trim().split(/\s+/);
    expect(upstreams).toEqual(
      instances.map(({ name, service }) => `${name}:${service.environment?.PORT}`),
    );
    expect(caddyfile).toContain('health_uri /health');
    expect(caddyfile).toMatch(/^\{\$CONNECTORS_DOMAIN\} \{/m);
    expect(proxy.environment?.CONNECTORS_DOMAIN).toBe(dotEnv.CONNECTORS_DOMAIN);
    expect(instances[0]?.service.environment?.PUBLIC_URL).toBe(
      `https://${dotEnv.CONNECTORS_DOMAIN}`,
    );
  });

  it('has a one-off migrate service, off by default, reading the single container volume', () => {
    const migrate = services.migrate ?? {};
    expect(migrate.profiles).toEqual(['migrate']);
    expect(migrate.volumes).toEqual([`data-connectors-data:${migrate.environment?.DATA_DIR}`]);
  });
});
