import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { prng } from './prng.js';

/** Deterministic pseudo-word terms, 3–5 syllables each. */
export function manyTerms(count: number, seed = 11): string[] {
  const rand = prng(seed);
  const syllables = 'ka ri to mu sa ne lo vi da pe zu ro ta mi ko lu be ga fi no sha tre qua bli dro ven mor tas lix pra glo sun ber dak wen fol yar zin'.split(' ');
  const terms = new Set<string>();
  while (terms.size < count) {
    const n = 3 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += syllables[Math.floor(rand() * syllables.length)]!;
    terms.add(w);
  }
  return [...terms];
}

/**
 * A TCP pass-through in front of a real server, which a test can cut and restore: the way to
 * make a real DynamoDB endpoint unreachable (connection refused) without mocking the SDK.
 */
export class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Refuse every connection from now on (and drop the open ones). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

import { randomBytes } from 'node:crypto';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../src/adapters/clients.js';
import { DynamoDbPolicyStore } from '../../src/adapters/dynamodb-policy-store.js';
import { deprovisionLocal, provisionLocal, resolveLocalNames, type ProvisionedResources } from '../../src/infra/provision.js';
import { startStorage } from '../../src/local/storage.js';

export interface PolicyBackends {
  /** Clients of the DynamoDB endpoint (dynalite, or DYNAMODB_ENDPOINT). */
  clients: AwsClients;
  resources: ProvisionedResources;
  dynamodbEndpoint: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  store: DynamoDbPolicyStore;
  /** A second store whose client goes through `proxy` (cut it to make the store unreachable). */
  storeThrough(proxy: CuttableProxy): { store: DynamoDbPolicyStore; destroy(): void };
  stop(): Promise<void>;
}

/** The ControlTable on a real DynamoDB endpoint, provisioned from serverless.yml (and its siblings). */
export async function startPolicyBackends(): Promise<PolicyBackends> {
  const storage = await startStorage();
  const region = process.env.AWS_REGION || 'us-east-1';
  const clients = createAwsClients({ region, ...(storage.credentials ? { credentials: storage.credentials } : {}), endpoints: storage.endpoints });
  const resources = await provisionLocal({ dynamodb: clients.dynamodb, sqs: clients.sqs, names: resolveLocalNames(`it-${randomBytes(4).toString('hex')}`) });
  return {
    clients,
    resources,
    dynamodbEndpoint: storage.endpoints.dynamodb,
    ...(storage.credentials ? { credentials: storage.credentials } : {}),
    store: new DynamoDbPolicyStore(clients.documents, { tableName: resources.controlTableName }),
    storeThrough(proxy) {
      // One attempt, so "unreachable" is seen at once rather than after the SDK's retries.
      const through = createAwsClients({ region, ...(storage.credentials ? { credentials: storage.credentials } : {}), endpoints: { dynamodb: proxy.endpoint }, maxAttempts: 1 });
      return { store: new DynamoDbPolicyStore(through.documents, { tableName: resources.controlTableName }), destroy: () => destroyAwsClients(through) };
    },
    async stop() {
      await deprovisionLocal({ dynamodb: clients.dynamodb, sqs: clients.sqs, resources }).catch(() => undefined);
      destroyAwsClients(clients);
      await storage.stop();
    },
  };
}
