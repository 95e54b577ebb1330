/**
 * The live-policy store's ports. The DynamoDB adapter is src/adapters/dynamodb-policy-store.ts;
 * workers only read (PolicyReader), the policy API also writes (PolicyStore).
 */
import type { Actor } from '../domain/item.js';
import type { Page } from '../domain/ports.js';
import type { PolicyMode, ScopedPolicyDocument } from './schema.js';

/** What one version is: a new document, a rollback to an older one, or the scope's deletion. */
export type PolicyChangeKind = 'put' | 'rollback' | 'delete';

/**
 * The small "head" of a scope: which version is current and where its document is. The worker's
 * version check reads only heads.
 */
export interface PolicyHead {
  scope: string;
  version: number;
  mode: PolicyMode;
  /** The scope was deleted at this version: it has no policy (its history is kept). */
  deleted: boolean;
  /** Where the document's chunks are (absent when deleted). */
  documentId?: string;
  chunkCount?: number;
  /** Uncompressed JSON size of the document, in bytes. */
  bytes?: number;
  /** sha256 of the document's JSON (hex): checked when it is loaded. */
  digest?: string;
}

/** One entry of a scope's history: who, when, why, what. */
export interface PolicyVersionRecord extends PolicyHead {
  kind: PolicyChangeKind;
  updatedBy: Actor;
  updatedAt: string;
  comment: string;
  /** For a rollback: the version it restored. */
  restoredVersion?: number;
}

/** The current document of a scope. */
export interface StoredPolicy extends PolicyVersionRecord {
  document: ScopedPolicyDocument;
}

/** What the workers need: cheap heads, and a document once per new version. */
export interface PolicyReader {
  /** The heads of these scopes (strongly consistent); a scope with no head is absent from the map. */
  getHeads(scopes: readonly string[], options?: { timeoutMs?: number }): Promise<Map<string, PolicyVersionRecord>>;
  /** The document a head (or version record) points at. Throws PolicyStoreError when it is missing or corrupt. */
  loadDocument(head: PolicyHead, options?: { timeoutMs?: number }): Promise<ScopedPolicyDocument>;
}

export interface PolicyCommit {
  scope: string;
  /** The version the writer read (0: no head yet). The commit happens only if it is still current. */
  expectedVersion: number;
  kind: PolicyChangeKind;
  mode: PolicyMode;
  actor: Actor;
  comment: string;
  /** Epoch ms. */
  now: number;
  /** `put`: the new document. */
  document?: ScopedPolicyDocument;
  /** `rollback`: the version whose document becomes current again (its chunks are reused). */
  restore?: PolicyVersionRecord;
  /** `rollback` to a version that has no stored document (0: the bundled POLICY_FILE), written as `document`. */
  restoredVersion?: number;
}

export interface PolicyStore extends PolicyReader {
  getHead(scope: string): Promise<PolicyVersionRecord | undefined>;
  /**
   * Writes a new version. Throws PolicyVersionConflictError (carrying the current head) when
   * `expectedVersion` is no longer current: of two writers from the same version, exactly one wins.
   */
  commit(change: PolicyCommit): Promise<PolicyVersionRecord>;
  getVersion(scope: string, version: number): Promise<PolicyVersionRecord | undefined>;
  /** A scope's history, newest first. */
  listVersions(scope: string, options: { limit: number; next?: Record<string, unknown> }): Promise<Page<PolicyVersionRecord>>;
  /** Every scope that has ever been written (deleted ones included), in key order. */
  listScopes(options: { limit: number; next?: Record<string, unknown> }): Promise<Page<string>>;
}
