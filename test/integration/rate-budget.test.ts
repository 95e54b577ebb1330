/**
 * The classifier budget on a real table (dynalite, or DYNAMODB_ENDPOINT): one conditional ADD per
 * take on the second's counter item in the control table. The clock is the test's (takes carry
 * their `nowMs`), so every case works in a second of its own and never waits for real time.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../src/adapters/clients.js';
import { budgetKey, DynamoDbRateBudget, windowOf, type BudgetLimits } from '../../src/classifiers/budget.js';
import { loseNextAnswer } from '../../src/local/storage-faults.js';
import { startBackends, type Backends } from '../support/backends.js';

const ONE = { requests: 1, textUnits: 1 };

describe('the shared classifier budget on DynamoDB', () => {
  let backends: Backends;
  /** A second set of clients on the same endpoint, where the faults go. */
  let lossy: AwsClients;
  beforeAll(async () => {
    backends = await startBackends();
    lossy = createAwsClients({ region: 'us-east-1', ...(backends.credentials ? { credentials: backends.credentials } : {}), endpoints: { dynamodb: backends.endpoints.dynamodb } });
  });
  afterAll(async () => {
    if (lossy) destroyAwsClients(lossy);
    await backends?.stop();
  });

  /** A second no other case uses: the start of a fresh window, 100 s apart. */
  let seconds = 0;
  const aFreshSecond = () => Date.UTC(2026, 11, 7, 5) + 100_000 * ++seconds;
  /** Budgets of whole-second windows (the window maths is the same at any length; one case below uses 100 ms). */
  const budgets = (n: number, limits: Record<string, BudgetLimits>, client = backends.clients.documents, windowMs: 1000 | 100 = 1000) =>
    // A generous timeout: on a busy machine a slow answer must not turn into a (fail-closed) refusal here.
    Array.from({ length: n }, () => new DynamoDbRateBudget(client, { tableName: backends.resources.controlTableName, limits, windowMs, timeoutMs: 10_000 }));
  const stored = async (key: string, nowMs: number, windowMs = 1000) =>
    (await backends.clients.documents.send(new GetCommand({ TableName: backends.resources.controlTableName, Key: budgetKey(key, windowOf(nowMs, windowMs)), ConsistentRead: true }))).Item;

  it('grants exactly the limit in one second, however many containers ask at once', async () => {
    const start = aFreshSecond();
    const containers = budgets(8, { comprehend: { requestsPerSecond: 25 } });
    const answers = await Promise.all(containers.flatMap((budget, c) => Array.from({ length: 6 }, (_, i) => budget.take('comprehend', ONE, start + c * 10 + i))));
    expect(answers.filter((a) => a.granted)).toHaveLength(25);
    for (const answer of answers.filter((a) => !a.granted)) {
      expect(answer).toMatchObject({ granted: false, reason: 'EXHAUSTED' });
      // Until the next second starts, counted from the take's own time.
      expect((answer as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(900);
      expect((answer as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(1_000);
    }
    expect(await stored('comprehend', start)).toMatchObject({ requests: 25, textUnits: 25 });
    // The item expires with its second (TTL, epoch seconds).
    expect((await stored('comprehend', start))!.expiresAt).toBeGreaterThan((start + 1_000) / 1000);
  });

  it('grants again in the next second', async () => {
    const start = aFreshSecond();
    const [budget] = budgets(1, { comprehend: { requestsPerSecond: 2 } });
    expect((await budget!.take('comprehend', ONE, start)).granted).toBe(true);
    expect((await budget!.take('comprehend', ONE, start + 1)).granted).toBe(true);
    expect(await budget!.take('comprehend', ONE, start + 400)).toEqual({ granted: false, retryAfterMs: 600, reason: 'EXHAUSTED' });
    expect((await budget!.take('comprehend', ONE, start + 1_000)).granted).toBe(true);
  });

  it('limits text units as well as requests', async () => {
    const start = aFreshSecond();
    const [first, second] = budgets(2, { guardrail: { requestsPerSecond: 50, textUnitsPerSecond: 10 } });
    const four = { requests: 1, textUnits: 4 };
    expect((await first!.take('guardrail', four, start)).granted).toBe(true);
    expect((await first!.take('guardrail', four, start)).granted).toBe(true);
    expect((await first!.take('guardrail', four, start)).granted).toBe(false);
    // Two units are left: another container's small call still fits.
    expect((await second!.take('guardrail', { requests: 1, textUnits: 2 }, start)).granted).toBe(true);
    expect(await stored('guardrail', start)).toMatchObject({ requests: 3, textUnits: 10 });
  });

  it('admits a call larger than a whole second only into an empty window', async () => {
    const start = aFreshSecond();
    const [a, b] = budgets(2, { guardrail: { requestsPerSecond: 50, textUnitsPerSecond: 10 } });
    expect((await a!.take('guardrail', { requests: 1, textUnits: 14 }, start)).granted).toBe(true);
    expect((await b!.take('guardrail', { requests: 1, textUnits: 14 }, start + 1)).granted).toBe(false);
    const next = aFreshSecond();
    expect((await b!.take('guardrail', { requests: 1, textUnits: 1 }, next)).granted).toBe(true);
    expect((await b!.take('guardrail', { requests: 1, textUnits: 14 }, next)).granted).toBe(false);
  });

  it('asks DynamoDB nothing more in a second it knows is full', async () => {
    const start = aFreshSecond();
    const [filler, refused] = budgets(2, { comprehend: { requestsPerSecond: 3 } });
    for (let i = 0; i < 3; i += 1) expect((await filler!.take('comprehend', ONE, start)).granted).toBe(true);
    // The third grant told the filler the window is full (UPDATED_NEW): no write for its next take.
    expect(await filler!.take('comprehend', ONE, start + 10)).toMatchObject({ granted: false, reason: 'EXHAUSTED' });
    expect(filler!.stats).toMatchObject({ writes: 3, shortCircuited: 1 });
    // Another container learns it from one refused write, then answers from memory.
    for (let i = 0; i < 5; i += 1) expect((await refused!.take('comprehend', ONE, start + 100 + i)).granted).toBe(false);
    expect(refused!.stats).toMatchObject({ writes: 1, shortCircuited: 4 });
    expect((await refused!.take('comprehend', ONE, start + 1_000)).granted).toBe(true);
    expect(await stored('comprehend', start)).toMatchObject({ requests: 3 });
  });

  it("spreads a second's grants over its 100 ms windows, and they add up to the limit", async () => {
    const start = aFreshSecond();
    const containers = budgets(4, { comprehend: { requestsPerSecond: 25 } }, backends.clients.documents, 100);
    const perWindow: number[] = [];
    for (let w = 0; w < 10; w += 1) {
      const at = start + w * 100 + 10;
      const answers = await Promise.all(containers.flatMap((budget) => [0, 1].map(() => budget.take('comprehend', ONE, at))));
      perWindow.push(answers.filter((a) => a.granted).length);
      for (const refused of answers.filter((a) => !a.granted)) expect(refused).toMatchObject({ retryAfterMs: 90 });
    }
    expect(perWindow).toEqual([2, 3, 2, 3, 2, 3, 2, 3, 2, 3]);
    expect(await stored('comprehend', start + 150, 100)).toMatchObject({ requests: 3 });
  });

  it('gives a key with a low limit windows long enough to hold a request', async () => {
    const start = aFreshSecond();
    // 5/s in 100 ms windows would be 0, 1, 0, 1, …: it gets 200 ms windows of one request each.
    const [budget] = budgets(1, { slow: { requestsPerSecond: 5 } }, backends.clients.documents, 100);
    expect((await budget!.take('slow', ONE, start + 50)).granted).toBe(true);
    expect(await budget!.take('slow', ONE, start + 60)).toEqual({ granted: false, retryAfterMs: 140, reason: 'EXHAUSTED' });
    expect((await budget!.take('slow', ONE, start + 250)).granted).toBe(true);
  });

  it('grants a key with no limits configured without a write', async () => {
    const [budget] = budgets(1, {});
    expect(await budget!.take('http:self-hosted', ONE, aFreshSecond())).toEqual({ granted: true });
    expect(budget!.stats.writes).toBe(0);
  });

  it('counts a grant whose answer was lost against the budget, never for more calls than the limit', async () => {
    const start = aFreshSecond();
    const [budget] = budgets(1, { comprehend: { requestsPerSecond: 2 } }, lossy.documents);
    const faults = loseNextAnswer(lossy.dynamodb, (command) => command === 'UpdateItemCommand');
    let answer;
    try {
      answer = await budget!.take('comprehend', ONE, start);
    } finally {
      faults.remove();
    }
    expect(faults.counts.answersLost).toBe(1);
    // DynamoDB applied the first attempt and the SDK's retry applied it again: one call granted,
    // two counted. The second's other request is gone unused: the budget errs towards less.
    expect(answer).toEqual({ granted: true });
    expect(await stored('comprehend', start)).toMatchObject({ requests: 2 });
    expect((await budget!.take('comprehend', ONE, start + 1)).granted).toBe(false);
  });

  describe('when DynamoDB cannot be asked', () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    let silentClients: AwsClients;
    let closedClients: AwsClients;
    beforeAll(async () => {
      // Accepts connections and never answers: a DynamoDB that hangs.
      silent = createServer((socket) => void sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
      silentClients = createAwsClients({ region: 'us-east-1', credentials, endpoints: { dynamodb: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` }, maxAttempts: 1 });
      // Nothing listens on port 9 of this machine (discard): connections are refused.
      closedClients = createAwsClients({ region: 'us-east-1', credentials, endpoints: { dynamodb: 'http://127.0.0.1:9' }, maxAttempts: 1 });
    });
    afterAll(async () => {
      destroyAwsClients(silentClients);
      destroyAwsClients(closedClients);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('refuses (fails closed) when DynamoDB does not answer in time', async () => {
      const errors: unknown[] = [];
      const budget = new DynamoDbRateBudget(silentClients.documents, { tableName: 't', limits: { k: { requestsPerSecond: 25 } }, windowMs: 1000, timeoutMs: 150, onError: (error) => errors.push(error) });
      const start = aFreshSecond();
      expect(await budget.take('k', ONE, start + 200)).toEqual({ granted: false, retryAfterMs: 800, reason: 'UNAVAILABLE' });
      expect(errors).toHaveLength(1);
      // Until the second ends, the container does not wait on DynamoDB again.
      expect(await budget.take('k', ONE, start + 300)).toMatchObject({ granted: false });
      expect(budget.stats).toMatchObject({ writes: 1, shortCircuited: 1 });
    });

    it('refuses (fails closed) when DynamoDB refuses the connection', async () => {
      const errors: unknown[] = [];
      const budget = new DynamoDbRateBudget(closedClients.documents, { tableName: 't', limits: { k: { requestsPerSecond: 25 } }, onError: (error) => errors.push(error) });
      expect(await budget.take('k', ONE, aFreshSecond())).toMatchObject({ granted: false, reason: 'UNAVAILABLE' });
      expect(errors).toHaveLength(1);
    });
  });
});
