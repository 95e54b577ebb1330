import { loadConfig } from '../../src/config.js';
import { createRuntime } from '../../src/runtime.js';
import { createWorkerHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
export const handler = createWorkerHandler(createRuntime(loadConfig()));
