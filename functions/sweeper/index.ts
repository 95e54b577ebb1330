import { loadConfig } from '../../src/config.js';
import { createRuntime } from '../../src/runtime.js';
import { createSweeperHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
export const handler = createSweeperHandler(createRuntime(loadConfig()));
