/**
 * Storage faults for the local stack and the tests, on the stock SDK clients themselves
 * (DynamoDB, SQS): a request dropped before it reaches the server, or an answer lost after the
 * server applied it. Both surface as a reset connection (ECONNRESET), which the SDK retries by
 * itself: exactly the "applied, answer lost, retried" sequence that invariant 6 is about
 * (BRIEF.md), with the real server and the real retry.
 *
 * The middleware sits in the `deserialize` step, under the SDK's retry (`finalizeRequest`), so
 * each attempt of a call meets the fault on its own, as each attempt would meet the network.
 */

export interface StorageFaultRates {
  /** 0..1: requests that never reach the server. */
  dropRequestRate: number;
  /** 0..1: requests the server applies, whose answer never comes back. */
  loseAnswerRate: number;
}

export interface StorageFaultOptions {
  random?: () => number;
  /** Only these commands (by the SDK's command name, e.g. `UpdateItemCommand`); default all. */
  only?: (commandName: string, input: unknown) => boolean;
  /** Told after a request the server applied, just before its answer is lost (a test acts in between). */
  onAnswerLost?: (commandName: string, input: unknown) => Promise<void> | void;
}

/** What the faults did, for a test to check they happened. */
export interface StorageFaultCounts {
  dropped: number;
  answersLost: number;
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: { step: 'deserialize'; name: string; priority?: 'high' | 'low' }): void; remove(name: string): boolean };
}

const resetError = (what: string) => Object.assign(new Error(`socket hang up (simulated: ${what})`), { name: 'Error', code: 'ECONNRESET' });

/**
 * Adds the faults to a client; returns their counts and a way to take them off. `rates` is read
 * per request, so a test can change them while traffic flows.
 */
export function injectStorageFaults(client: MiddlewareClient, rates: () => StorageFaultRates, options: StorageFaultOptions = {}): { counts: StorageFaultCounts; remove(): void } {
  const random = options.random ?? Math.random;
  const counts: StorageFaultCounts = { dropped: 0, answersLost: 0 };
  const name = `storageFaults${Math.floor(random() * 1e9)}`;
  client.middlewareStack.add(
    (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: unknown }) => {
      const command = context.commandName ?? '';
      if (options.only && !options.only(command, args.input)) return next(args);
      const { dropRequestRate, loseAnswerRate } = rates();
      if (dropRequestRate > 0 && random() < dropRequestRate) {
        counts.dropped += 1;
        throw resetError(`${command} dropped`);
      }
      const result = await next(args);
      if (loseAnswerRate > 0 && random() < loseAnswerRate) {
        counts.answersLost += 1;
        await options.onAnswerLost?.(command, args.input);
        throw resetError(`${command} applied, answer lost`);
      }
      return result;
    },
    { step: 'deserialize', name, priority: 'low' },
  );
  return { counts, remove: () => void client.middlewareStack.remove(name) };
}

/** One lost answer for the first request that `matches`: applied, then reset (the SDK retries it). */
export function loseNextAnswer(
  client: MiddlewareClient,
  matches: (commandName: string, input: unknown) => boolean,
  onAnswerLost?: (commandName: string, input: unknown) => Promise<void> | void,
): { counts: StorageFaultCounts; remove(): void } {
  let armed = true;
  const faults = injectStorageFaults(client, () => ({ dropRequestRate: 0, loseAnswerRate: armed ? 1 : 0 }), {
    only: (command, input) => armed && matches(command, input),
    onAnswerLost: async (command, input) => {
      armed = false;
      await onAnswerLost?.(command, input);
    },
  });
  return faults;
}
