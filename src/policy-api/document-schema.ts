import * as z from 'zod/mini';
import { scopedPolicyDocumentJsonSchema } from '../policy/schema.js';
import '../zod-messages.js';
import { meta } from '../http/schema-meta.js';

/**
 * The stored policy document as an OpenAPI component (`PolicyDocument`), which the requests'
 * document fields refer to (src/policy-api/schemas.ts); their validation is
 * scopedDocumentIssues (every field named). For the document only, like the answers
 * (src/review/responses.ts), and its JSON Schema is built when the document is (a getter).
 */
export const PolicyDocumentComponent = z.unknown().apply(meta, {
  id: 'PolicyDocument',
  get override() {
    return scopedPolicyDocumentJsonSchema();
  },
});
