import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { metricsObserver } from '../../src/adapters/metrics-observer.js';
import type { Decision } from '../../src/domain/item.js';

/** The EMF documents Powertools wrote to stdout (log lines are written there too; they have no `_aws`). */
type Write = { mock: { calls: unknown[][] }; mockRestore(): void };

function emfDocuments(write: Write): Array<Record<string, any>> {
  return write.mock.calls
    .flatMap((call) => String(call[0]).split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

const decision = (origin: Decision['origin']): Decision => ({
  action: 'ALLOW',
  origin,
  actor: { id: 'policy' },
  reason: 'x',
  ruleIds: [],
  decidedAt: '2026-11-30T10:00:00.000Z',
});

// The dashboard and the alarms in serverless.yml read exactly these names and dimensions.
describe('metricsObserver (the EMF the dashboard and alarms read)', () => {
  let write: Write;
  let metrics: Metrics;
  let observer: ReturnType<typeof metricsObserver>;
  let logged: Array<[string, unknown]>;

  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    metrics = new Metrics({ serviceName: 'chime-flow-moderation', namespace: 'ChimeFlowModeration' });
    logged = [];
    const logger: Pick<Logger, 'error' | 'warn'> = { error: (message, ...details) => void logged.push([String(message), details[0]]), warn: (message, ...details) => void logged.push([String(message), details[0]]) };
    observer = metricsObserver(metrics, logger);
  });
  afterEach(() => {
    write.mockRestore();
    vi.unstubAllEnvs();
  });

  it('counts decisions by origin in the invocation\'s stored metrics, one document per publish', () => {
    observer.decided(decision('AUTO'));
    observer.decided(decision('AUTO'));
    observer.decided(decision('MODERATOR'));
    expect(emfDocuments(write)).toEqual([]);
    metrics.publishStoredMetrics();
    const [doc, ...more] = emfDocuments(write);
    expect(more).toEqual([]);
    // Repeated values are kept as a list; CloudWatch sums them.
    expect(doc).toMatchObject({ service: 'chime-flow-moderation', DecidedAUTO: [1, 1], DecidedMODERATOR: 1 });
    expect(doc!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'ChimeFlowModeration', Dimensions: [['service']] });
  });

  it('emits each callback error at once, with its type as a dimension', () => {
    observer.callbackFailed({ callbackId: 'c'.repeat(40), errorType: 'ThrottledClientException', kind: 'RETRY', message: 'slow down', actor: 'worker' });
    const docs = emfDocuments(write);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ service: 'chime-flow-moderation', errorType: 'ThrottledClientException', CallbackErrors: 1 });
    expect(docs[0]!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'ChimeFlowModeration', Dimensions: [['service', 'errorType']] });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('emits CallbackForbiddenBeforeDeadline at once and logs an error for a Forbidden before the deadline', () => {
    observer.callbackFailed({ callbackId: 'c'.repeat(40), errorType: 'ForbiddenException', kind: 'FORBIDDEN_BEFORE_DEADLINE', message: 'nope', actor: 'worker' });
    const docs = emfDocuments(write);
    expect(docs.map((d) => Object.keys(d).filter((k) => k.startsWith('Callback')))).toEqual([['CallbackErrors'], ['CallbackForbiddenBeforeDeadline']]);
    expect(docs[1]!._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [['service']] });
    expect(logged).toEqual([[expect.stringMatching(/Forbidden before its deadline/), expect.objectContaining({ callbackId: 'c'.repeat(40), kind: 'FORBIDDEN_BEFORE_DEADLINE' })]]);
  });

  it('counts answers that were lost: settled by read-back, or left in doubt', () => {
    observer.callbackFailed({ callbackId: 'c'.repeat(40), errorType: 'ECONNRESET', kind: 'LANDED', message: 'socket hang up', actor: 'worker' });
    observer.callbackFailed({ callbackId: 'd'.repeat(40), errorType: 'ServiceFailureException', kind: 'IN_DOUBT', message: 'oops', actor: 'worker' });
    const docs = emfDocuments(write);
    expect(docs.map((d) => Object.keys(d).filter((k) => k.startsWith('Callback')))).toEqual([['CallbackErrors'], ['CallbackSettledByReadBack'], ['CallbackErrors'], ['CallbackInDoubt']]);
    expect(logged).toEqual([]);
  });

  it('does not raise the Forbidden alarm\'s metric for an expiry', () => {
    observer.callbackFailed({ callbackId: 'c'.repeat(40), errorType: 'ForbiddenException', kind: 'EXPIRED', message: 'closed', actor: 'sweeper' });
    expect(emfDocuments(write).map((d) => d.CallbackForbiddenBeforeDeadline)).toEqual([undefined]);
    expect(logged).toEqual([]);
  });
});
