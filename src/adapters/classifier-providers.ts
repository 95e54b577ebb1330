import type { ClassifierProviders } from '../classifiers/stage.js';
import type { ClassifierProvider, ClassifyAnswer } from '../classifiers/ports.js';
import type { ClassifierSettings } from '../policy/classifiers.js';
import { BedrockGuardrailProvider } from './classifier-bedrock.js';
import type { ClassifierClients } from './classifier-clients.js';
import { ComprehendToxicityProvider } from './classifier-comprehend.js';
import { HttpClassifierProvider } from './classifier-http.js';

/** Reads a secret by name (an SSM parameter, or a Secrets Manager secret through SSM's /aws/reference path). */
export interface SecretReader {
  read(name: string): Promise<string>;
}

/** How long a secret read for an http provider is kept before it is read again (a rotation reaches the worker within this). */
export const SECRET_TTL_MS = 5 * 60_000;

/**
 * The providers of a worker container: one per provider configuration (Comprehend; a guardrail
 * id and version; an http URL and secret), built on first use from the clients built once per
 * container, and kept. Policies change; the clients do not.
 */
export function createClassifierProviders(clients: ClassifierClients, options: { secrets?: SecretReader; now?: () => number } = {}): ClassifierProviders {
  const built = new Map<string, ClassifierProvider>();
  const now = options.now ?? Date.now;
  return {
    forClassifier(settings: ClassifierSettings): ClassifierProvider {
      const key = JSON.stringify(settings.provider);
      let provider = built.get(key);
      if (provider) return provider;
      const p = settings.provider;
      switch (p.kind) {
        case 'comprehend-toxicity':
          provider = new ComprehendToxicityProvider(clients.comprehend, { now });
          break;
        case 'bedrock-guardrail':
          provider = new BedrockGuardrailProvider(clients.bedrockRuntime, { id: p.guardrailId, version: p.guardrailVersion }, { now });
          break;
        case 'http':
          provider = p.secret ? withSecret(p.url, p.secret, options.secrets, now) : new HttpClassifierProvider({ url: p.url, now });
          break;
      }
      built.set(key, provider);
      return provider;
    },
  };
}

/**
 * An http provider whose bearer token is read (and re-read every SECRET_TTL_MS) from the secret
 * store. A secret that cannot be read is the provider being unavailable (a FAULT: the breaker
 * opens, `onUnavailable` applies), never a call without it.
 */
function withSecret(url: string, name: string, secrets: SecretReader | undefined, now: () => number): ClassifierProvider {
  let current: { provider: HttpClassifierProvider; readAt: number } | undefined;
  return {
    kind: 'http',
    async classify(request): Promise<ClassifyAnswer> {
      if (!current || now() - current.readAt > SECRET_TTL_MS) {
        if (!secrets) return { kind: 'UNAVAILABLE', reason: 'FAULT', message: `The http classifier's secret ${name} cannot be read: no secret store is configured` };
        try {
          current = { provider: new HttpClassifierProvider({ url, secret: await secrets.read(name), now }), readAt: now() };
        } catch (error) {
          return { kind: 'UNAVAILABLE', reason: 'FAULT', message: `The http classifier's secret ${name} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
        }
      }
      return current.provider.classify(request);
    },
  };
}
