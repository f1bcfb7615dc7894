import type { Agent } from 'undici';
import { request } from 'undici';
import { startChild } from './child-process';
import { SKELETON_TOKEN } from './skeleton-secrets';
import type { ChildHandle } from './child-process';

/** The skeleton server's process (skeleton-child.ts), and one run through it. */
export interface SkeletonSide {
  handle: ChildHandle<{ url: string }>;
  /** One run on this ticket; true when it succeeded. */
  run(ticketId: number): Promise<boolean>;
}

export async function startSkeleton(
  fakesUrl: string,
  agent: Agent,
  options: {
    env?: Record<string, string>;
    execArgv?: string[];
    mustHaves?: boolean;
    wrapper?: readonly string[];
  } = {},
): Promise<SkeletonSide> {
  const handle = await startChild<{ url: string }>('./skeleton-child.ts', {
    env: {
      BENCH_FAKES_URL: fakesUrl,
      ...(options.mustHaves ? { SKELETON_MUST_HAVES: '1' } : {}),
      ...options.env,
    },
    execArgv: options.execArgv ?? [],
    ...(options.wrapper ? { wrapper: options.wrapper } : {}),
  });
  return {
    handle,
    run: async (ticketId) => {
      const res = await request(`${handle.ready.url}/run`, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          ...(options.mustHaves ? { authorization: `Bearer ${SKELETON_TOKEN}` } : {}),
        },
        body: JSON.stringify({ ticketId }),
      });
      const body = (await res.body.json()) as { outcome?: string };
      return res.statusCode === 200 && body.outcome === 'success';
    },
  };
}
