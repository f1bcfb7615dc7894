import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the app's parts live, whatever directory a script is started from. */
export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SRC_DIR = join(APP_DIR, 'src');
export const ASSETS_DIR = join(APP_DIR, 'assets');
export const DIST_DIR = join(APP_DIR, 'dist');

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === process.argv[1];
}
