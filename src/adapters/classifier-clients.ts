/**
 * The classifier providers' AWS clients, built once per container and injected into the
 * adapters (classifier-comprehend.ts, classifier-bedrock.ts).
 *
 * maxAttempts 1: the classifier stage retries itself within the message's deadline budget and
 * under the shared rate budget; an SDK retry would spend quota the budget did not grant and time
 * the deadline did not allow. The per-call timeout is the AbortSignal each adapter derives from
 * `answerBy`.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ComprehendClient } from '@aws-sdk/client-comprehend';

export interface ClassifierClientSettings {
  region: string;
  /** Dummy credentials for local servers; omit in AWS to use the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Local emulators (`.local/stack.json` endpoints.comprehend / endpoints.bedrockRuntime). */
  endpoints?: { comprehend?: string; bedrockRuntime?: string };
}

export interface ClassifierClients {
  comprehend: ComprehendClient;
  bedrockRuntime: BedrockRuntimeClient;
}

export function createClassifierClients(settings: ClassifierClientSettings): ClassifierClients {
  const common = { region: settings.region, maxAttempts: 1, ...(settings.credentials ? { credentials: settings.credentials } : {}) };
  return {
    comprehend: new ComprehendClient({ ...common, ...(settings.endpoints?.comprehend ? { endpoint: settings.endpoints.comprehend } : {}) }),
    bedrockRuntime: new BedrockRuntimeClient({ ...common, ...(settings.endpoints?.bedrockRuntime ? { endpoint: settings.endpoints.bedrockRuntime } : {}) }),
  };
}

export function destroyClassifierClients(clients: ClassifierClients): void {
  clients.comprehend.destroy();
  clients.bedrockRuntime.destroy();
}
