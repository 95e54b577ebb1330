import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CHIME_TIMEOUTS } from './chime-calls.js';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  /** Chime reads (idempotent: the SDK's retries are harmless). */
  chime: ChimeSDKMessagingClient;
  /**
   * Chime calls that change something (ChannelFlowCallback, bans, redactions, deletions): one
   * attempt per call, no hidden SDK retry (src/adapters/chime-calls.ts says why and what we retry).
   */
  chimeWrites: ChimeSDKMessagingClient;
}

export interface ClientSettings {
  region: string;
  endpoints?: { dynamodb?: string; sqs?: string; chime?: string };
  /** Dummy credentials for local servers; omit in AWS to use the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call (default 3: the SDK retries 429/5xx itself). */
  maxAttempts?: number;
  /**
   * Connections each client may open at once (the SDK's default is 50). A Lambda container runs
   * one invocation at a time and never needs more; the local stack runs every invocation of every
   * function in one process, on one set of clients, and asks for more, as many containers would have.
   */
  maxSockets?: number;
}

const common = (settings: ClientSettings) => ({
  region: settings.region,
  ...(settings.credentials ? { credentials: settings.credentials } : {}),
  ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
});

const agent = (settings: ClientSettings) => (settings.maxSockets ? { httpAgent: { maxSockets: settings.maxSockets, keepAlive: true } } : {});

/*
 * One factory per service, so that a Lambda bundle holds only the SDK clients its function
 * builds: a function's index.ts calls the factories it needs, and esbuild leaves the other SDK
 * packages out (`npm run bench` lists the clients each bundle carries).
 */

/** How long one DynamoDB request may take before it is given up (and retried by the SDK). */
export const DYNAMODB_TIMEOUTS = { connectionMs: 5_000, requestMs: 10_000 } as const;

/** DynamoDB, and the document client over it (the moderation table, counters, live policies). */
export function createDynamoDbClients(settings: ClientSettings): Pick<AwsClients, 'dynamodb' | 'documents'> {
  const dynamodb = new DynamoDBClient({
    ...common(settings),
    ...(settings.endpoints?.dynamodb ? { endpoint: settings.endpoints.dynamodb } : {}),
    // A connection that never answers must not hold a delivery lease (or a Lambda) to its end:
    // it is given up and retried (every write carries its id: a retry is never applied twice).
    requestHandler: { connectionTimeout: DYNAMODB_TIMEOUTS.connectionMs, requestTimeout: DYNAMODB_TIMEOUTS.requestMs, ...agent(settings) },
  });
  return { dynamodb, documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }) };
}

/** SQS (the work queue, the intake DLQ). */
export function createSqsClient(settings: ClientSettings): SQSClient {
  return new SQSClient({ ...common(settings), ...(settings.endpoints?.sqs ? { endpoint: settings.endpoints.sqs } : {}), ...(settings.maxSockets ? { requestHandler: agent(settings) } : {}) });
}

/** Chime SDK Messaging: the reads client and the one-attempt writes client (see AwsClients). */
export function createChimeClients(settings: ClientSettings): Pick<AwsClients, 'chime' | 'chimeWrites'> {
  const options = {
    ...common(settings),
    ...(settings.endpoints?.chime ? { endpoint: settings.endpoints.chime } : {}),
    requestHandler: { connectionTimeout: CHIME_TIMEOUTS.connectionMs, requestTimeout: CHIME_TIMEOUTS.requestMs, ...agent(settings) },
  };
  return { chime: new ChimeSDKMessagingClient(options), chimeWrites: new ChimeSDKMessagingClient({ ...options, maxAttempts: 1 }) };
}

/** Builds every AWS client once. Domain code never constructs a client. */
export function createAwsClients(settings: ClientSettings): AwsClients {
  return { ...createDynamoDbClients(settings), sqs: createSqsClient(settings), ...createChimeClients(settings) };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.documents.destroy();
  clients.dynamodb.destroy();
  clients.sqs.destroy();
  clients.chime.destroy();
  clients.chimeWrites.destroy();
}
