/**
 * An in-process emulator of Amazon Comprehend's `DetectToxicContent` (JSON 1.1). The stock
 * `@aws-sdk/client-comprehend` works against it unchanged:
 *
 *   new ComprehendClient({ endpoint: emulator.endpoint, region: 'us-east-1',
 *     credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })
 *
 * It enforces the model's rules (wire.ts): 1–10 segments, each at most 1 KB of UTF-8, 10 KB in
 * all (TextSizeLimitExceededException); LanguageCode from the model's enum (ValidationException
 * otherwise) and `en` only (UnsupportedLanguageException); a quota of requests per second
 * (default 25, sliding one-second window, TooManyRequestsException).
 *
 * Scores are deterministic: a segment equal to a fixture's `text` gets the fixture's scores;
 * any other gets the DEVELOPMENT LEXICON's (src/local/classifier-lexicon.ts), which is not a
 * model. Segments are scored one by one (the real service reads earlier ones as context).
 *
 * Plain JSON endpoints for tests and humans (no signing):
 *   GET|DELETE  /_emulator/calls      the newest 10,000 calls received {operation, segments, language, at, outcome}
 *   GET|POST|DELETE /_emulator/fixtures  `{text, toxicity, labels: {INSULT: 0.95}}` (or a list of them)
 *   GET|POST    /_emulator/faults     `{throttleRate, unavailableRate, latencyMs}`, merged live
 *   GET|POST    /_emulator/quota      `{requestsPerSecond}`
 */
export { startComprehendEmulator, parseFixture, type ComprehendCall, type ComprehendEmulator, type ComprehendEmulatorOptions, type ComprehendFixture } from './server.js';
export { LIMITS as COMPREHEND_LIMITS } from './wire.js';
