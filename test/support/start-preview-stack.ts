import { resolve } from 'node:path';
import { startTestStack } from './start-test-stack';
import type { TestStack, TestStackOptions } from './start-test-stack';

/**
 * The test stack with the `/preview` page mounted on the service, as `npm start` mounts it in
 * sandbox mode: the page reads the fake Zendesk through the server's client, and the sidebar's
 * loads are signed by the fake Zendesk's app key, as Zendesk signs them.
 */
export const APP_ASSETS_DIR = resolve('zendesk-app/assets');

export interface PreviewStack extends TestStack {
  /** e.g. http://127.0.0.1:PORT/preview */
  previewUrl: string;
}

export interface PreviewStackOptions extends TestStackOptions {
  /** Where the built app is (default zendesk-app/assets). */
  appAssetsDir?: string;
}

export async function startPreviewStack(options: PreviewStackOptions = {}): Promise<PreviewStack> {
  const stack = await startTestStack({
    ...options,
    preview: { appAssetsDir: options.appAssetsDir ?? APP_ASSETS_DIR },
  });
  return { ...stack, previewUrl: `${stack.url}/preview` };
}
