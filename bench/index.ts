/**
 * `npm run bench`: every performance goal of the project, measured in one run and printed
 * as figures and ratios. Nothing here asserts: tests assert behaviour, benchmarks report.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { benchPolicy } = await import('./policy.js');
const { benchPipeline } = await import('./pipeline.js');
const { benchReview } = await import('./review.js');
const { benchPolicies, printPoliciesBench } = await import('./policies.js');
const { benchConsole, printConsoleBench } = await import('./console.js');
const { benchCapacityConfigurations, printCapacitySummary, printPartitionHeat } = await import('./partition-heat.js');
const { benchDeadlineStorm, benchSweeper, printDeadlineStorm, printSweeperBench } = await import('./sweeper.js');
const { benchBundles, printBundlesBench } = await import('./bundles.js');
const { benchCosts, operationsFrom, printCostsBench } = await import('./costs.js');

const goal = (ok: boolean) => (ok ? 'meets the goal' : 'MISSES the goal');
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

console.log('Policy engine: decisions/second on ~1 KB messages');
const policy = await benchPolicy();
console.log(`  full default policy (terms, PII, links)   ${fmt(policy.defaultPolicy)} /s wall, ${fmt(policy.cpu.defaultPolicy)} /s CPU   (goal ≥ 50,000: ${goal(policy.defaultPolicy >= 50_000)})`);
console.log(`  100,000 block terms alone                 ${fmt(policy.termsOnly)} /s wall, ${fmt(policy.cpu.termsOnly)} /s CPU   (goal ≥ 60,000: ${goal(policy.termsOnly >= 60_000)})`);
console.log(`  100 terms          ${fmt(policy.small)} /s`);
console.log(`  100,000 terms      ${fmt(policy.large)} /s`);
console.log(`  ratio              ${fmt(policy.ratio)}   (goal ≤ 1.5: ${goal(policy.ratio <= 1.5)})`);

console.log('\nPipeline end to end through the local stack (SendChannelMessage → intake → SQS → worker → ChannelFlowCallback)');
const pipeline = await benchPipeline();
console.log(`  one at a time      p50 ${fmt(pipeline.idleLatencyP50Ms)} ms   p99 ${fmt(pipeline.idleLatencyP99Ms)} ms   intake→callback`);
console.log(`  burst of ${pipeline.messages}     ${fmt(pipeline.messagesPerSecond)} messages/s   p50 ${fmt(pipeline.latencyP50Ms)} ms   p99 ${fmt(pipeline.latencyP99Ms)} ms (queueing included)`);
console.log(`  AWS calls per auto-decided message: ${fmt(pipeline.callsPerMessageTotal)}  ${JSON.stringify(pipeline.callsPerMessage)}`);
console.log(`  (the SQS event source's own calls per message: ${JSON.stringify(pipeline.pollerCallsPerMessage)})`);

console.log('\nReview API over HTTP through the local stack (10,000 pending items, a valid JWT)');
const review = await benchReview();
console.log(`  GET /reviews?limit=50   p50 ${fmt(review.listP50)} ms   p99 ${fmt(review.listP99)} ms`);
console.log(`  GET /reviews/{id}       p50 ${fmt(review.getP50)} ms   p99 ${fmt(review.getP99)} ms`);
console.log(`  ratio (list p50 / get p50)  ${fmt(review.ratio)}   (goal ≤ 3: ${goal(review.ratio <= 3)})`);

console.log('\nHonest capacity: capacity units by partition key, and what stops a real table first, under Chime faults (README "Scale: keys that spread")');
const heat = await benchCapacityConfigurations();
for (const [n, report] of heat.entries()) printPartitionHeat(report, { previousDesign: n === 0 });
printCapacitySummary(heat);

console.log('\nThe sweeper\'s cost follows what is due, not what is live; and a deadline storm');
printSweeperBench(await benchSweeper());
printDeadlineStorm(await benchDeadlineStorm({ items: 4000, capacity: heat[0]!.figures.defaultQuotas.messagesPerSecond }));

console.log('\nLive policies (the worker\'s cache, propagation of a PUT, replay)');
printPoliciesBench(await benchPolicies());

console.log('\nLambda bundles: each function\'s code file, and its import in a fresh Node process (a cold start\'s init)');
printBundlesBench(await benchBundles());

console.log('\nModerator console in headless Chromium (Debian\'s, through playwright-core)');
try {
  printConsoleBench(await benchConsole());
} catch (error) {
  // Needs Debian's Chromium (apt-get install -y chromium); the other figures stand without it.
  console.log(`  skipped: ${(error as Error).message}`);
}

console.log('\nCosts per million messages at published prices, from this run\'s operations (README "Classifier budgets and quotas")');
printCostsBench(benchCosts({ operations: operationsFrom(heat[0]!, pipeline) }));
