import { join } from 'node:path';
import { oidcConfigSource, loadConsoleSettings } from '../../src/console-host/settings.js';
import { createConsoleHandler } from './handler.js';

// Lambda entry point. The built console travels in this function's zip (serverless.yml
// package patterns: console/dist/**), next to the bundle, under $LAMBDA_TASK_ROOT.
export const handler = createConsoleHandler({
  root: join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'console', 'dist'),
  config: oidcConfigSource(loadConsoleSettings()),
});
