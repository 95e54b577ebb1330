import { loadConfig, loadReviewApiSettings } from '../../src/config.js';
import { createRuntime } from '../../src/runtime.js';
import { createReviewApiHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
export const handler = createReviewApiHandler(createRuntime(loadConfig()), loadReviewApiSettings());
