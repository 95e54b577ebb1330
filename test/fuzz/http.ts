import { Agent, request } from 'node:http';
import { gunzipSync } from 'node:zlib';

/**
 * Raw HTTP for hostile requests: node:http, not fetch. fetch normalises the path (`../`,
 * `%2e%2e`), refuses methods like TRACE, and cannot send a body with GET; hostile requests need
 * all of that. The path is sent exactly as given (percent-encode anything outside \x21-\xff).
 */

export interface RawRequest {
  method: string;
  /** The request target, as sent: `/reviews/abc?limit=1`. */
  path: string;
  /** In order; a name given twice is sent twice. */
  headers?: Array<[string, string]>;
  body?: Buffer;
  /** Send the body with `Transfer-Encoding: chunked` instead of a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Decompressed when the answer was gzipped. */
  body: Buffer;
  text: string;
  /** Parsed when the content type says JSON and the body parses. */
  json?: unknown;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

export function send(endpoint: string, input: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: input.method, path: input.path, agent, setHost: true });
    const grouped = new Map<string, string[]>();
    for (const [name, value] of input.headers ?? []) grouped.set(name.toLowerCase(), [...(grouped.get(name.toLowerCase()) ?? []), value]);
    for (const [name, values] of grouped) req.setHeader(name, values.length === 1 ? values[0]! : values);
    if (input.body !== undefined && !input.chunked) req.setHeader('content-length', String(input.body.length));
    if (input.chunked) req.setHeader('transfer-encoding', 'chunked');
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        let body = Buffer.concat(chunks);
        if (headers['content-encoding'] === 'gzip' && body.length > 0) body = gunzipSync(body);
        const text = body.toString('utf8');
        let json: unknown;
        if (/json/i.test(headers['content-type'] ?? '')) {
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers, body, text, ...(json !== undefined ? { json } : {}) });
      });
    });
    if (input.body !== undefined) req.end(input.body);
    else req.end();
  });
}

export function closeAgent(): void {
  agent.destroy();
}
