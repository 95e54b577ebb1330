import { createServer, type Server, type ServerResponse } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { LocalLambda } from './lambda-runtime.js';
import { readBody } from './read-body.js';

/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`), so the stock
 * `@aws-sdk/client-lambda` can invoke intake, worker or sweeper in the local stack. Also
 * GetFunction (`GET /2015-03-31/functions/{name}`) and GetPolicy
 * (`GET /2015-03-31/functions/{name}/policy`), which `npm run setup-flow -- --endpoint …` uses to
 * find the intake function and check who may invoke it.
 */
export interface InvokeEndpoint {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** Invoke's payload limits: 6 MB for RequestResponse; 1 MB for Event (256 KB until Lambda raised it in 2025). */
export const SYNC_PAYLOAD_MAX_BYTES = 6 * 1024 * 1024;
export const ASYNC_PAYLOAD_MAX_BYTES = 1024 * 1024;

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify({ Type: 'User', message }));
}

/** A name, a partial ARN or a full ARN (optionally qualified), as the Lambda API accepts. */
function functionName(requested: string): string {
  return requested.includes(':function:') ? requested.split(':function:')[1]!.split(':')[0]! : requested;
}

/** GetFunction and GetPolicy. */
function describeFunction(lambda: LocalLambda, pathname: string, res: ServerResponse): void {
  const match = /^\/2015-03-31\/functions\/([^/]+)(\/policy)?\/?$/.exec(pathname);
  if (!match) return sendError(res, 404, 'ResourceNotFoundException', `No route for GET ${pathname}`);
  const name = functionName(decodeURIComponent(match[1]!));
  if (!lambda.has(name)) return sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${lambda.arn(name)}`);
  let body: unknown;
  if (match[2]) {
    const policy = lambda.policy(name);
    // Lambda answers a function without a resource policy with 404.
    if (!policy) return sendError(res, 404, 'ResourceNotFoundException', 'The resource you requested does not exist.');
    body = { Policy: JSON.stringify(policy), RevisionId: createHash('sha256').update(JSON.stringify(policy)).digest('hex').slice(0, 32) };
  } else {
    body = { Configuration: { FunctionName: name, FunctionArn: lambda.arn(name), Runtime: 'nodejs22.x', State: 'Active' } };
  }
  res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify(body));
}

export async function startInvokeEndpoint(lambda: LocalLambda, options: { port: number; host?: string }): Promise<InvokeEndpoint> {
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET') return describeFunction(lambda, url.pathname, res);
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
      if (req.method !== 'POST' || !match) return sendError(res, 404, 'ResourceNotFoundException', `No route for ${req.method} ${url.pathname}`);
      // Accept a name, a partial ARN or a full ARN (optionally qualified), as Invoke does.
      const name = functionName(decodeURIComponent(match[1]!));
      if (!lambda.has(name)) return sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${lambda.arn(name)}`);

      // Lambda refuses an oversized payload before running anything, with 413 RequestEntityTooLargeException:
      // an Event it accepted is queued, retried, and ends on the on-failure destination if it keeps failing.
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      const maxBytes = type === 'Event' ? ASYNC_PAYLOAD_MAX_BYTES : SYNC_PAYLOAD_MAX_BYTES;
      const body = await readBody(req, maxBytes);
      if (body === undefined) return sendError(res, 413, 'RequestEntityTooLargeException', `The payload is larger than the ${maxBytes} bytes Invoke accepts for InvocationType ${type}`);
      let event: unknown = {};
      if (body.length > 0) {
        try {
          event = JSON.parse(body.toString('utf8'));
        } catch {
          return sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
        }
      }
      const requestId = randomUUID();
      if (type === 'DryRun') {
        res.writeHead(204, { 'x-amzn-requestid': requestId });
        return res.end();
      }
      if (type === 'Event') {
        lambda.invokeAsync(name, event);
        res.writeHead(202, { 'x-amzn-requestid': requestId });
        return res.end();
      }
      if (type !== 'RequestResponse') return sendError(res, 400, 'InvalidParameterValueException', `Unknown InvocationType ${type}`);
      const result = await lambda.invoke(name, event);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
      if (!result.ok) headers['x-amz-function-error'] = 'Unhandled';
      res.writeHead(200, headers);
      res.end(JSON.stringify(result.ok ? (result.payload ?? null) : result.error));
    } catch (error) {
      sendError(res, 500, 'ServiceException', error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
