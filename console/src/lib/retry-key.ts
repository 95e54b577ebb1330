/**
 * Idempotency-Keys for the people rooms' writes (a case's decision and actions, an appeal's
 * decision, a restriction): a request whose answer was lost (no answer, a 5xx) is sent again with
 * the same key, so the API answers the first one's outcome instead of acting twice. A changed
 * request gets a new key (the same key with another body is refused, 409
 * idempotency-key-reused); so does anything after an answer that settled it.
 */
export class RetryKeys {
  private last: { body: string; key: string } | undefined;
  constructor(private readonly newKey: () => string = randomKey) {}

  /** The key to send `body` with: the previous one when this is the same request again. */
  keyFor(body: unknown): string {
    const text = JSON.stringify(body);
    if (this.last?.body !== text) this.last = { body: text, key: this.newKey() };
    return this.last.key;
  }

  /** An answer settled the request (done, or refused for good): the next one is new. */
  settled(): void {
    this.last = undefined;
  }
}

/** Whether an answer leaves the outcome unknown (no answer, or the server failed): only then is the key kept for a retry. */
export const outcomeUnknown = (status: number): boolean => status === 0 || status >= 500;

function randomKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
