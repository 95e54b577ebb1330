/**
 * The providers of a worker container (src/adapters/classifier-providers.ts): one per provider
 * configuration, and an http provider's bearer token read from the secret store (a fake of our
 * SecretReader port), never sent without it. A real HTTP endpoint on this machine answers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifierClients, destroyClassifierClients } from '../../src/adapters/classifier-clients.js';
import { createClassifierProviders, SECRET_TTL_MS } from '../../src/adapters/classifier-providers.js';
import { classifierSettingsOf, mergeClassifiers, type ClassifiersSectionInput } from '../../src/policy/classifiers.js';

let server: Server;
let url: string;
const authorizations: Array<string | undefined> = [];
const clients = createClassifierClients({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

beforeAll(async () => {
  server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ scores: { abuse: 0.2 }, model: 'house@1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/judge`;
});
afterAll(async () => {
  destroyClassifierClients(clients);
  await new Promise((resolve) => server.close(resolve));
});

const settingsOf = (section: ClassifiersSectionInput) => classifierSettingsOf(mergeClassifiers([section])).active[0]!;
const request = () => ({ text: 'hello', context: [], answerBy: Date.now() + 5000 });

describe('createClassifierProviders', () => {
  it('builds one provider per provider configuration and keeps it', () => {
    const providers = createClassifierProviders(clients);
    const a = providers.forClassifier(settingsOf({ a: { provider: 'comprehend-toxicity' } }));
    expect(providers.forClassifier(settingsOf({ b: { provider: 'comprehend-toxicity', review: { Toxicity: 0.2 } } }))).toBe(a);
    const g1 = providers.forClassifier(settingsOf({ g: { provider: 'bedrock-guardrail', guardrailId: 'g1', guardrailVersion: '1' } }));
    expect(providers.forClassifier(settingsOf({ g: { provider: 'bedrock-guardrail', guardrailId: 'g1', guardrailVersion: '2' } }))).not.toBe(g1);
    expect(g1.kind).toBe('bedrock-guardrail');
  });

  it('sends an http provider’s secret as its bearer token, read once per SECRET_TTL_MS', async () => {
    let offset = 0;
    const now = () => Date.now() + offset;
    const reads: string[] = [];
    const providers = createClassifierProviders(clients, { secrets: { read: async (name) => (reads.push(name), `token-${reads.length}`) }, now });
    const provider = providers.forClassifier(settingsOf({ house: { provider: 'http', url, secret: '/moderation/house-token' } }));
    authorizations.length = 0;
    const later = () => ({ ...request(), answerBy: now() + 5000 });
    expect(await provider.classify(later())).toMatchObject({ kind: 'SCORED', model: 'house@1' });
    expect(await provider.classify(later())).toMatchObject({ kind: 'SCORED' });
    offset += SECRET_TTL_MS + 1;
    expect(await provider.classify(later())).toMatchObject({ kind: 'SCORED' });
    expect(reads).toEqual(['/moderation/house-token', '/moderation/house-token']);
    expect(authorizations).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
  });

  it('never calls without the secret: an unreadable one, or no store, is UNAVAILABLE/FAULT', async () => {
    authorizations.length = 0;
    const failing = createClassifierProviders(clients, { secrets: { read: () => Promise.reject(new Error('ParameterNotFound')) } });
    expect(await failing.forClassifier(settingsOf({ house: { provider: 'http', url, secret: '/moderation/missing' } })).classify(request())).toEqual({
      kind: 'UNAVAILABLE',
      reason: 'FAULT',
      message: "The http classifier's secret /moderation/missing cannot be read: ParameterNotFound",
    });
    expect(await createClassifierProviders(clients).forClassifier(settingsOf({ house: { provider: 'http', url, secret: '/moderation/x' } })).classify(request())).toMatchObject({ kind: 'UNAVAILABLE', reason: 'FAULT' });
    expect(authorizations).toEqual([]);
  });
});
