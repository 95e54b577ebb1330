import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { createSqsServer } from 'local-aws-sqs';

/**
 * DynamoDB and SQS for the local stack and the tests: the endpoints named in the environment
 * (DYNAMODB_ENDPOINT, SQS_ENDPOINT: DynamoDB Local, ElasticMQ, AWS itself), or else dynalite
 * and local-aws-sqs started in-process on ephemeral ports.
 */
export interface LocalStorage {
  endpoints: { dynamodb: string; sqs: string };
  /** Undefined means the SDK's default provider chain (a remote endpoint needs real ones). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Stops the embedded servers this call started (configured endpoints are left alone). */
  stop(): Promise<void>;
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

const listen = (server: Server, host: string) =>
  new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`));
  });

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

export async function startStorage(options: { env?: NodeJS.ProcessEnv; dynamodbEndpoint?: string; sqsEndpoint?: string; host?: string } = {}): Promise<LocalStorage> {
  const env = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const started: Server[] = [];
  const stop = () => Promise.all(started.splice(0).map(close)).then(() => undefined);
  try {
    let dynamodb = options.dynamodbEndpoint ?? (env.DYNAMODB_ENDPOINT || undefined);
    if (!dynamodb) {
      const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
      started.push(server);
      dynamodb = await listen(server, host);
    }
    let sqs = options.sqsEndpoint ?? (env.SQS_ENDPOINT || undefined);
    if (!sqs) {
      // local-aws-sqs builds queue URLs from the port it actually listens on, so port 0 is fine.
      const server = await createSqsServer({ port: 0, hostname: host, emulateQueueCreationLifecycle: false });
      started.push(server);
      sqs = `http://${host}:${(server.address() as AddressInfo).port}`;
    }
    // Servers on this machine accept any signature; a remote endpoint (AWS itself) needs real
    // credentials: those in the environment, or the SDK's default provider chain.
    const remote = [dynamodb, sqs].some((endpoint) => !LOOPBACK.test(endpoint));
    const credentials =
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
        : remote
          ? undefined
          : { accessKeyId: 'local', secretAccessKey: 'local' };
    return { endpoints: { dynamodb, sqs }, ...(credentials ? { credentials } : {}), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
