import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createConsoleAssets, type ConsoleAssetsOptions } from '../../src/console-host/assets.js';

/**
 * The moderator console's static files and its config.json, behind the HTTP API's
 * unauthenticated GET /console and /console/{proxy+} routes. Thin: the work is in
 * src/console-host/assets.ts.
 */
export function createConsoleHandler(options: ConsoleAssetsOptions) {
  const serve = createConsoleAssets(options);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const response = await serve({ method: event.requestContext.http.method, path: event.rawPath, query: event.rawQueryString ?? '', headers });
    return event.requestContext.http.method === 'HEAD' ? { ...response, body: '', isBase64Encoded: false } : response;
  };
}
