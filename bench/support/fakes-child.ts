import { answerParent } from './child-process';
import type { CannedBodies } from './instant-fakes';
import { startInstantFakes } from './instant-fakes';

/** The instant Zendesk + upstream in a process of their own. Bodies come in BENCH_BODIES. */
const bodies = JSON.parse(process.env.BENCH_BODIES ?? '{}') as CannedBodies;
const fakes = await startInstantFakes(bodies);
answerParent((message) => {
  if (message.type === 'cpu') return { cpu: process.cpuUsage() };
  if (message.type === 'delay') fakes.setDelay(Number(message.ms), Number(message.jitter ?? 0));
  return {};
});
process.send?.({ type: 'ready', url: fakes.url });
process.once('SIGTERM', () => void fakes.close().then(() => process.exit(0)));
