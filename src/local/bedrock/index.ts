/**
 * An in-process emulator of Amazon Bedrock runtime's `ApplyGuardrail` (restJson1). The stock
 * `@aws-sdk/client-bedrock-runtime` works against it unchanged:
 *
 *   new BedrockRuntimeClient({ endpoint: emulator.endpoint, region: 'us-east-1',
 *     credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })
 *
 * Guardrails are configured at start (`guardrails`) or live (`POST /_emulator/guardrails`):
 * `{id, versions: ['DRAFT', '1'], filters: {INSULTS: 'HIGH', …}, deniedTopics: [{name,
 * keywords}], words: [...], managedWordLists: ['PROFANITY'], pii: [{type: 'EMAIL', action:
 * 'BLOCKED'}], blockedMessage}`. An unknown id or version is ResourceNotFoundException (404);
 * the model's patterns and enums are ValidationException (400, wire.ts); over the quota
 * (default 25 requests/s, sliding one-second window) ThrottlingException (429).
 *
 * Scores are deterministic (guardrails.ts says how each policy is judged): a text block equal to
 * a fixture's `text` gets its confidences; any other the DEVELOPMENT LEXICON's
 * (src/local/classifier-lexicon.ts), which is not a model.
 *
 * Plain JSON endpoints for tests and humans (no signing):
 *   GET|DELETE       /_emulator/calls       the newest 10,000 calls received {operation, guardrailIdentifier, guardrailVersion, source, segments, qualifiers, at, outcome, action}
 *   GET|POST         /_emulator/guardrails  a guardrail (or a list), upserted by id
 *   GET|POST|DELETE  /_emulator/fixtures    `{text, filters: {INSULTS: 'HIGH'}, intervene?: true}` (or a list)
 *   GET|POST         /_emulator/faults      `{throttleRate, unavailableRate, latencyMs}`, merged live
 *   GET|POST         /_emulator/quota       `{requestsPerSecond}`
 */
export { startBedrockRuntimeEmulator, type BedrockCall, type BedrockRuntimeEmulator, type BedrockRuntimeEmulatorOptions } from './server.js';
export { blocks as filterBlocks, type GuardrailConfig, type GuardrailFixture, type PiiType, type Strength } from './guardrails.js';
