import type { CallbackRequest } from '../domain/callback.js';
import type { FollowUpCompletion, FollowUpRecord } from '../domain/follow-up.js';
import type { HistoryEntry, ModerationItem, WorkMessage } from '../domain/item.js';
import type { CallbackSender, DecisionDayQuery, DueQuery, FailedQuery, ReviewQueueQuery, ReviewStore, Transition, WorkQueue } from '../domain/ports.js';
import { crashCurrentInvocation, currentInvocation, SimulatedCrash } from './lambda-runtime.js';

/**
 * Process-crash faults for the local stack. "Crash the worker after it records a decision"
 * kills that invocation between its two writes: from then on every call it makes fails, and
 * the local Lambda discards its result, so SQS redelivers the batch, as after a real crash.
 */
export class CrashFaults {
  private decisionsUntilCrash = 0;
  private readonly followUpWriteFailures = { recordFollowUp: 0, completeFollowUp: 0 };

  /** The next `count` worker invocations that record a fresh decision die right after it. */
  crashWorkerAfterNextDecisions(count: number): void {
    this.decisionsUntilCrash = count;
  }

  pending(): number {
    return this.decisionsUntilCrash;
  }

  /**
   * The next `count` writes of a follow-up action record (the REQUESTED record, or its outcome)
   * fail as if DynamoDB were unreachable; the invocation goes on and answers for itself.
   */
  failNextFollowUpWrites(write: 'recordFollowUp' | 'completeFollowUp', count = 1): void {
    this.followUpWriteFailures[write] = count;
  }

  private followUpWrite(write: 'recordFollowUp' | 'completeFollowUp'): void {
    this.guard();
    if (this.followUpWriteFailures[write] > 0) {
      this.followUpWriteFailures[write] -= 1;
      throw Object.assign(new Error(`Simulated DynamoDB outage during ${write}`), { name: 'InternalServerError' });
    }
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
      listDue: async (query: DueQuery) => (this.guard(), inner.listDue(query)),
      listPendingReviews: async (query: ReviewQueueQuery) => (this.guard(), inner.listPendingReviews(query)),
      listDecisionsOfDay: async (query: DecisionDayQuery) => (this.guard(), inner.listDecisionsOfDay(query)),
      nearestPendingReview: async () => (this.guard(), inner.nearestPendingReview()),
      listFailed: async (query: FailedQuery) => (this.guard(), inner.listFailed(query)),
      reschedule: async (item: ModerationItem) => (this.guard(), inner.reschedule(item)),
      appendHistory: async (id: string, entry: Omit<HistoryEntry, 'at'>, now: number) => (this.guard(), inner.appendHistory(id, entry, now)),
      recordFollowUp: async (record: FollowUpRecord) => (this.followUpWrite('recordFollowUp'), inner.recordFollowUp(record)),
      completeFollowUp: async (id: string, completion: FollowUpCompletion) => (this.followUpWrite('completeFollowUp'), inner.completeFollowUp(id, completion)),
      transition: async (change: Transition) => {
        this.guard();
        const result = await inner.transition(change);
        this.afterTransition(change);
        return result;
      },
    };
  }

  callbacks(inner: CallbackSender): CallbackSender {
    return {
      send: async (request: CallbackRequest) => (this.guard(), inner.send(request)),
      readStatus: async (message) => (this.guard(), inner.readStatus(message)),
    };
  }

  queue(inner: WorkQueue): WorkQueue {
    return {
      enqueue: async (message: WorkMessage) => (this.guard(), inner.enqueue(message)),
      retryLater: async (handle: string, seconds: number) => (this.guard(), inner.retryLater(handle, seconds)),
    };
  }
}
