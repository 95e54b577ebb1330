/**
 * `npm run bench`: every performance goal of the project, measured in one run and printed
 * as figures and ratios. Nothing here asserts: tests assert behaviour, benchmarks report.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { benchPolicy } = await import('./policy.js');
const { benchPipeline } = await import('./pipeline.js');

const goal = (ok: boolean) => (ok ? 'meets the goal' : 'MISSES the goal');
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

console.log('Policy engine: decisions/second on ~1 KB messages');
const policy = await benchPolicy();
console.log(`  100 terms          ${fmt(policy.small)} /s`);
console.log(`  100,000 terms      ${fmt(policy.large)} /s`);
console.log(`  ratio              ${fmt(policy.ratio)}   (goal ≤ 1.5: ${goal(policy.ratio <= 1.5)})`);

console.log('\nPipeline end to end through the local stack (SendChannelMessage → intake → SQS → worker → ChannelFlowCallback)');
const pipeline = await benchPipeline();
console.log(`  one at a time      p50 ${fmt(pipeline.idleLatencyP50Ms)} ms   p99 ${fmt(pipeline.idleLatencyP99Ms)} ms   intake→callback`);
console.log(`  burst of ${pipeline.messages}     ${fmt(pipeline.messagesPerSecond)} messages/s   p50 ${fmt(pipeline.latencyP50Ms)} ms   p99 ${fmt(pipeline.latencyP99Ms)} ms (queueing included)`);
console.log(`  AWS calls per auto-decided message: ${fmt(pipeline.callsPerMessageTotal)}  ${JSON.stringify(pipeline.callsPerMessage)}`);
console.log(`  (the SQS event source's own calls per message: ${JSON.stringify(pipeline.pollerCallsPerMessage)})`);

// The review API's benchmark (issue 3) joins when bench/review.ts exists.
const review = (await import(String('./review.js')).catch(() => undefined)) as { benchReview(): Promise<{ listP50: number; listP99: number; getP50: number; getP99: number; ratio: number }> } | undefined;
if (review) {
  console.log('\nReview API through the local stack (10,000 pending items)');
  const r = await review.benchReview();
  console.log(`  GET /reviews?limit=50   p50 ${fmt(r.listP50)} ms   p99 ${fmt(r.listP99)} ms`);
  console.log(`  GET /reviews/{id}       p50 ${fmt(r.getP50)} ms   p99 ${fmt(r.getP99)} ms`);
  console.log(`  ratio (list p50 / get p50)  ${fmt(r.ratio)}   (goal ≤ 3: ${goal(r.ratio <= 3)})`);
}
