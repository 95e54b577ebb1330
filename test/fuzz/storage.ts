import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The storage emulators in a child process (test/fuzz/storage-process.mjs): their endpoints, and how to stop them. */
export async function startStorageProcess(): Promise<{ endpoints: { dynamodb: string; sqs: string }; stop(): Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./storage-process.mjs', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
  const endpoints = await new Promise<{ dynamodb: string; sqs: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the storage process did not start within 20 s')), 20_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as { dynamodb: string; sqs: string });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the storage process exited (${code})`)));
  });
  return {
    endpoints,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
