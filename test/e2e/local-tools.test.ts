/**
 * The README's walkthrough on non-default ports: `npm start` on other ports, then `npm run token`
 * and `npm run demo` with no variables at all find that stack. A busy port is one line naming the
 * variable to change. Real processes, as a newcomer runs them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a local tool to completion with exactly this environment (no API_PORT / CHIME_PORT unless given). */
function run(script: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [script, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['API_PORT', 'CHIME_PORT', 'LAMBDA_PORT', 'JWT_ISSUER', 'DYNAMODB_ENDPOINT', 'SQS_ENDPOINT']) delete env[name];
  return { ...env, POWERTOOLS_METRICS_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

describe('local tools on non-default ports', () => {
  let dir: string;
  let stackFile: string;
  let npmStart: ChildProcess | undefined;
  let output = '';
  let ports: { api: number; chime: number; lambda: number };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cfm-ports-'));
    stackFile = join(dir, 'stack.json');
    ports = { api: await freePort(), chime: await freePort(), lambda: await freePort() };
    npmStart = spawn(TSX, ['src/local/main.ts'], {
      env: cleanEnv({ API_PORT: String(ports.api), CHIME_PORT: String(ports.chime), LAMBDA_PORT: String(ports.lambda), LOCAL_STACK_FILE: stackFile, SWEEP_INTERVAL_SECONDS: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npmStart.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    npmStart.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(async () => (output.includes('local stack is up') ? true : undefined), { timeoutMs: 60_000, what: `npm start to come up (output so far: ${output})` });
  }, 90_000);

  afterAll(async () => {
    if (npmStart && npmStart.exitCode === null) {
      const exited = new Promise((resolve) => npmStart!.once('exit', resolve));
      npmStart.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('npm run token mints a token the stack accepts, with no variables set', async () => {
    const token = await run('src/local/token.ts', { LOCAL_STACK_FILE: stackFile }, ['--user', 'alice', '--groups', 'moderators']);
    expect(token.code).toBe(0);
    const response = await fetch(`http://127.0.0.1:${ports.api}/reviews`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } });
    expect(response.status).toBe(200);
  });

  it('npm run demo uses that stack instead of starting a private one', async () => {
    const demo = await run('src/local/demo.ts', { LOCAL_STACK_FILE: stackFile });
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain(`Using the stack at http://127.0.0.1:${ports.chime}`);
    expect(demo.stdout).not.toContain('private stack');
    // Its messages went through this stack: the held one is in this stack's review queue.
    const messages = (await (await fetch(`http://127.0.0.1:${ports.chime}/_simulator/messages`)).json()) as unknown[];
    expect(messages.length).toBeGreaterThanOrEqual(7);
  }, 60_000);

  it('a busy port is one line that names the variable to change, not a stack trace', async () => {
    const blocker: Server = createServer();
    const busy = await freePort();
    await new Promise<void>((resolve) => blocker.listen(busy, '127.0.0.1', resolve));
    try {
      const failed = await run('src/local/main.ts', { API_PORT: String(busy), CHIME_PORT: String(await freePort()), LAMBDA_PORT: String(await freePort()), LOCAL_STACK_FILE: join(dir, 'other.json') });
      expect(failed.code).toBe(1);
      const lines = failed.stderr.trim().split('\n').filter((l) => !/Warning|NodeVersionSupport|--trace-warnings/.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`Port ${busy} is already in use \\(API_PORT\\)`));
      expect(failed.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 60_000);

  it('removes its stack file when it stops', async () => {
    expect(existsSync(stackFile)).toBe(true);
    const exited = new Promise((resolve) => npmStart!.once('exit', resolve));
    npmStart!.kill('SIGTERM');
    await exited;
    expect(existsSync(stackFile)).toBe(false);
  }, 30_000);
});
