/**
 * The one retry we allow ourselves around a non-idempotent Chime call. The SDK's hidden retry is
 * off for those calls (src/adapters/clients.ts), because a retry after a lost answer meets Chime's
 * answer to a second call and tells a wrong story. Only an answer that says Chime turned the
 * request away WITHOUT acting on it is safe to repeat in place: 429 ThrottledClient and
 * 503 ServiceUnavailable. Anything else is thrown to the caller, who settles it (by the answer,
 * or by reading back).
 */

const TURNED_AWAY = new Set(['ThrottledClientException', 'ServiceUnavailableException']);

/** Attempts in all, and the base of the jittered backoff between them. */
export const TURNED_AWAY_ATTEMPTS = 3;
const BACKOFF_MS = 100;

export function isTurnedAway(error: unknown): boolean {
  const err = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = err?.$metadata?.httpStatusCode;
  return TURNED_AWAY.has(err?.name ?? '') || status === 429 || status === 503;
}

export async function retryTurnedAway<T>(call: () => Promise<T>, attempts = TURNED_AWAY_ATTEMPTS, random: () => number = Math.random): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isTurnedAway(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + random())));
    }
  }
}

/**
 * How long one Chime call may take before it is given up as "no answer". Bounded, so that a
 * callback (its in-place retries and its read-back included) always ends inside the delivery
 * lease, and a moderator's request inside the API's timeout (src/adapters/clients.ts uses them).
 */
export const CHIME_TIMEOUTS = { connectionMs: 1_000, requestMs: 2_500 } as const;

/**
 * The longest one delivery attempt can take: the callback (three tries when Chime turns it away,
 * with their backoff) and its read-back. The configuration guard (src/config.ts) and the
 * delivery lease are measured against it.
 */
export const LONGEST_CALLBACK_MS = (TURNED_AWAY_ATTEMPTS + 1) * (CHIME_TIMEOUTS.connectionMs + CHIME_TIMEOUTS.requestMs) + 1_000;
