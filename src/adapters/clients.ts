import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  chime: ChimeSDKMessagingClient;
}

export interface ClientSettings {
  region: string;
  endpoints?: { dynamodb?: string; sqs?: string; chime?: string };
  /** Dummy credentials for local servers; omit in AWS to use the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call (default 3: the SDK retries 429/5xx itself). */
  maxAttempts?: number;
}

/** Builds every AWS client once. Domain code never constructs a client. */
export function createAwsClients(settings: ClientSettings): AwsClients {
  const common = {
    region: settings.region,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
  };
  const dynamodb = new DynamoDBClient({ ...common, ...(settings.endpoints?.dynamodb ? { endpoint: settings.endpoints.dynamodb } : {}) });
  return {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    sqs: new SQSClient({ ...common, ...(settings.endpoints?.sqs ? { endpoint: settings.endpoints.sqs } : {}) }),
    chime: new ChimeSDKMessagingClient({ ...common, ...(settings.endpoints?.chime ? { endpoint: settings.endpoints.chime } : {}) }),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.documents.destroy();
  clients.dynamodb.destroy();
  clients.sqs.destroy();
  clients.chime.destroy();
}
