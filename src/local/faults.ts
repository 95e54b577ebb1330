import type { CallbackRequest } from '../domain/callback.js';
import type { ModerationItem, Status, WorkMessage } from '../domain/item.js';
import type { CallbackSender, DecisionCountQuery, DecisionDayQuery, ReviewQueueQuery, ReviewStore, StatusQuery, Transition, WorkQueue } from '../domain/ports.js';
import { crashCurrentInvocation, currentInvocation, SimulatedCrash } from './lambda-runtime.js';

/**
 * Process-crash faults for the local stack. "Crash the worker after it records a decision"
 * kills that invocation between its two writes: from then on every call it makes fails, and
 * the local Lambda discards its result, so SQS redelivers the batch, as after a real crash.
 */
export class CrashFaults {
  private decisionsUntilCrash = 0;

  /** The next `count` worker invocations that record a fresh decision die right after it. */
  crashWorkerAfterNextDecisions(count: number): void {
    this.decisionsUntilCrash = count;
  }

  pending(): number {
    return this.decisionsUntilCrash;
  }

  guard(): void {
    if (currentInvocation()?.crashed) throw new SimulatedCrash();
  }

  afterTransition(change: Transition): void {
    const invocation = currentInvocation();
    if (invocation?.functionName === 'worker' && change.to === 'DECIDED' && change.from.includes('RECEIVED') && this.decisionsUntilCrash > 0) {
      this.decisionsUntilCrash -= 1;
      crashCurrentInvocation();
    }
  }

  store(inner: ReviewStore): ReviewStore {
    return {
      recordReceived: async (item: ModerationItem) => (this.guard(), inner.recordReceived(item)),
      get: async (id: string) => (this.guard(), inner.get(id)),
      queryByStatus: async (query: StatusQuery) => (this.guard(), inner.queryByStatus(query)),
      listPendingReviews: async (query: ReviewQueueQuery) => (this.guard(), inner.listPendingReviews(query)),
      listDecisionsOfDay: async (query: DecisionDayQuery) => (this.guard(), inner.listDecisionsOfDay(query)),
      countByStatus: async (status: Status, options?: { maxPages?: number }) => (this.guard(), inner.countByStatus(status, options)),
      countDecisionsOfDay: async (query: DecisionCountQuery) => (this.guard(), inner.countDecisionsOfDay(query)),
      transition: async (change: Transition) => {
        this.guard();
        const result = await inner.transition(change);
        this.afterTransition(change);
        return result;
      },
    };
  }

  callbacks(inner: CallbackSender): CallbackSender {
    return { send: async (request: CallbackRequest) => (this.guard(), inner.send(request)) };
  }

  queue(inner: WorkQueue): WorkQueue {
    return {
      enqueue: async (message: WorkMessage) => (this.guard(), inner.enqueue(message)),
      retryLater: async (handle: string, seconds: number) => (this.guard(), inner.retryLater(handle, seconds)),
    };
  }
}
