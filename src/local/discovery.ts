import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How `npm run token`, `npm run demo` (and the other local tools) find the stack `npm start`
 * runs, whatever ports it was given: it leaves `.local/stack.json` while it runs.
 *
 *   explicit variables (API_PORT, CHIME_PORT, JWT_ISSUER) ─ win, as in npm start itself
 *   else the running stack's file (its pid still alive) ─── its endpoints and issuer
 *   else the defaults (3000, 4000)
 */
/** LOCAL_STACK_FILE moves it (tests run stacks side by side). */
export const STACK_FILE = process.env.LOCAL_STACK_FILE || fileURLToPath(new URL('../../.local/stack.json', import.meta.url));

export interface RunningStack {
  pid: number;
  startedAt: string;
  endpoints: { chime: string; api: string; lambda: string; console?: string; sqs?: string; dynamodb?: string };
  /** Where the operators' tools find the stack's queues (npm run redrive). */
  resources?: { intakeDlqUrl?: string; workQueueUrl?: string };
  issuer: string;
}

export function writeStackFile(stack: RunningStack, file = STACK_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(stack, null, 2));
  renameSync(temporary, file);
}

/** Removes the file if it is still ours (a second stack may have replaced it). */
export function removeStackFile(pid = process.pid, file = STACK_FILE): void {
  const current = readStackFile(file, { checkAlive: false });
  if (current?.pid === pid) rmSync(file, { force: true });
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The stack `npm start` is running now, or undefined (no file, unreadable, or its process is gone). */
export function readStackFile(file = STACK_FILE, options: { checkAlive?: boolean } = {}): RunningStack | undefined {
  let stack: RunningStack;
  try {
    stack = JSON.parse(readFileSync(file, 'utf8')) as RunningStack;
  } catch {
    return undefined;
  }
  if (typeof stack?.pid !== 'number' || typeof stack.endpoints?.api !== 'string') return undefined;
  if (options.checkAlive !== false && !isAlive(stack.pid)) return undefined;
  return stack;
}

/** Where the local tools should talk to, by the precedence above. */
export function localEndpoints(env: NodeJS.ProcessEnv = process.env, file = STACK_FILE): { api: string; chime: string; issuer: string; source: 'environment' | 'npm start' | 'defaults' } {
  const running = env.API_PORT || env.CHIME_PORT ? undefined : readStackFile(file);
  if (running) return { api: running.endpoints.api, chime: running.endpoints.chime, issuer: env.JWT_ISSUER || running.issuer, source: 'npm start' };
  const api = `http://127.0.0.1:${env.API_PORT || 3000}`;
  return {
    api,
    chime: `http://127.0.0.1:${env.CHIME_PORT || 4000}`,
    issuer: env.JWT_ISSUER || api,
    source: env.API_PORT || env.CHIME_PORT ? 'environment' : 'defaults',
  };
}
