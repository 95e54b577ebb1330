import type { ReviewStore, WorkQueue } from '../domain/ports.js';
import type { DecisionPathDeps } from '../pipeline/decide.js';
import type { CursorCodec } from './cursor.js';

/** Everything the review operations use; built once per container by the handler factory. */
export interface ReviewDeps extends DecisionPathDeps {
  store: ReviewStore;
  /** Where a decision whose delivery must be retried is handed to the workers. */
  queue: WorkQueue;
  cursors: CursorCodec;
  callbackWindowSeconds: number;
  expiryMarginSeconds: number;
  retentionDays: number;
  /** Things worth an operator's attention that do not fail the request. */
  warn: (message: string, details: Record<string, unknown>) => void;
}
