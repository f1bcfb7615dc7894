import type { CompileConfigFn } from '../config/load-config';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';

/** The file format the server loads with (the built-in helpdesks). */
export const CONFIG_SCHEMA = BUILT_IN_CONFIG_FORMAT.schemas.connectorConfigSchema;

/** What the compile stub makes of a config: enough to tell which config was loaded. */
export interface StubCompiled {
  connectorIds: string[];
}

/**
 * A compile step that accepts every schema-valid config, for tests of loading and watching that
 * are not about compiling; the result is frozen like the real compiled config.
 */
export const compileStub: CompileConfigFn<StubCompiled> = (config) => ({
  ok: true,
  value: {
    compiled: Object.freeze({ connectorIds: config.connectors.map((connector) => connector.id) }),
    warnings: [],
  },
});
