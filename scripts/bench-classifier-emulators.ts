/**
 * The classifier emulators under load, through the real adapters and stock SDK clients:
 *   1. throughput and latency with the quota out of the way (what a local stack can push);
 *   2. the quota: callers hammering an emulator that admits 25 requests/s, counted per second
 *      from the emulator's call log.
 * Run: npx tsx scripts/bench-classifier-emulators.ts [--seconds 3] [--concurrency 8]
 */
import { parseArgs } from 'node:util';
import { BedrockGuardrailProvider } from '../src/adapters/classifier-bedrock.js';
import { createClassifierClients, destroyClassifierClients } from '../src/adapters/classifier-clients.js';
import { ComprehendToxicityProvider } from '../src/adapters/classifier-comprehend.js';
import type { ClassifierProvider } from '../src/classifiers/ports.js';
import { startBedrockRuntimeEmulator } from '../src/local/bedrock/index.js';
import { startComprehendEmulator } from '../src/local/comprehend/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '8' } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const CONTEXT = ['hi all', 'anyone up for lunch?', 'sure, at noon'];

async function hammer(provider: ClassifierProvider, ms: number): Promise<{ latencies: number[]; kinds: Record<string, number> }> {
  const until = Date.now() + ms;
  const latencies: number[] = [];
  const kinds: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; Date.now() < until; i += 1) {
        const t = performance.now();
        const answer = await provider.classify({ text: `message ${w}-${i}: you idiot`, context: CONTEXT, answerBy: Date.now() + 2_000 });
        latencies.push(performance.now() - t);
        const key = answer.kind === 'UNAVAILABLE' ? `UNAVAILABLE/${answer.reason}` : answer.kind;
        kinds[key] = (kinds[key] ?? 0) + 1;
      }
    }),
  );
  return { latencies, kinds };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!.toFixed(1);

function perSecond(ats: string[]): number[] {
  const secs = new Map<number, number>();
  for (const at of ats) secs.set(Math.floor(Date.parse(at) / 1000), (secs.get(Math.floor(Date.parse(at) / 1000)) ?? 0) + 1);
  // Whole seconds only: the first and last are partial.
  return [...secs.entries()].sort(([a], [b]) => a - b).slice(1, -1).map(([, n]) => n);
}

const comprehend = await startComprehendEmulator({ quota: 1_000_000 });
const bedrock = await startBedrockRuntimeEmulator({ quota: 1_000_000, guardrails: [{ id: 'bench', versions: ['1'] }] });
const clients = createClassifierClients({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, endpoints: { comprehend: comprehend.endpoint, bedrockRuntime: bedrock.endpoint } });
const providers: Array<[string, ClassifierProvider, { setQuota(n: number): void; calls(): Array<{ at: string; outcome: string }> }]> = [
  ['comprehend-toxicity', new ComprehendToxicityProvider(clients.comprehend), comprehend],
  ['bedrock-guardrail', new BedrockGuardrailProvider(clients.bedrockRuntime, { id: 'bench', version: '1' }), bedrock],
];

console.log(`classifier emulators: ${seconds}s per run, ${concurrency} concurrent callers, node ${process.version}`);
for (const [name, provider, emulator] of providers) {
  const free = await hammer(provider, seconds * 1000);
  console.log(`${name.padEnd(20)} no quota    ${(free.latencies.length / seconds).toFixed(0).padStart(6)} calls/s   p50 ${pct(free.latencies, 50)} ms  p99 ${pct(free.latencies, 99)} ms   ${JSON.stringify(free.kinds)}`);
  emulator.setQuota(25);
  const before = emulator.calls().length;
  const limited = await hammer(provider, seconds * 1000 + 2_000);
  const admitted = emulator.calls().slice(before).filter((c) => c.outcome === 'OK').map((c) => c.at);
  const counts = perSecond(admitted);
  console.log(`${name.padEnd(20)} quota 25/s  admitted per whole second ${JSON.stringify(counts)} (max ${Math.max(...counts)})   ${JSON.stringify(limited.kinds)}`);
}
destroyClassifierClients(clients);
await comprehend.close();
await bedrock.close();
