import { describe, expect, it } from 'vitest';
import { crashCurrentInvocation, LocalLambda, type AsyncFailureRecord } from '../../src/local/lambda-runtime.js';

describe('the local Lambda runtime', () => {
  it('retries a failing async invocation twice, then hands it to the on-failure destination', async () => {
    const lambda = new LocalLambda();
    const failures: AsyncFailureRecord[] = [];
    let calls = 0;
    lambda.register(
      'flaky',
      async () => {
        calls += 1;
        throw new Error(`attempt ${calls} failed`);
      },
      { retryDelaysMs: [1, 1], onFailure: async (record) => void failures.push(record) },
    );
    lambda.invokeAsync('flaky', { hello: 'world' });
    await lambda.drain();
    expect(calls).toBe(3);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { hello: 'world' },
      responsePayload: { errorMessage: 'attempt 3 failed' },
    });
  });

  it('stops retrying once an attempt succeeds', async () => {
    const lambda = new LocalLambda();
    let calls = 0;
    const failures: unknown[] = [];
    lambda.register('second-time-lucky', async () => {
      calls += 1;
      if (calls === 1) throw new Error('first');
      return 'ok';
    }, { retryDelaysMs: [1], onFailure: async (r) => void failures.push(r) });
    lambda.invokeAsync('second-time-lucky', {});
    await lambda.drain();
    expect(calls).toBe(2);
    expect(failures).toEqual([]);
  });

  it('loses the whole result of an invocation that crashed, even if the handler swallowed the crash', async () => {
    const lambda = new LocalLambda();
    lambda.register('crashy', async () => {
      try {
        crashCurrentInvocation();
      } catch {
        /* a handler that catches everything still dies with its process */
      }
      return { batchItemFailures: [] };
    });
    const result = await lambda.invoke('crashy', {});
    expect(result).toMatchObject({ ok: false, error: { errorType: 'SimulatedCrash' } });
  });

  it('reports a timeout as a failed invocation', async () => {
    const lambda = new LocalLambda();
    lambda.register('slow', () => new Promise((resolve) => setTimeout(resolve, 200)), { timeoutSeconds: 0.01 });
    expect(await lambda.invoke('slow', {})).toMatchObject({ ok: false, error: { errorMessage: expect.stringMatching(/timed out/) } });
  });
});
