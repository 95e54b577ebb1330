/**
 * The policy document: what operators write in `policy/*.yaml` (or JSON).
 *
 * Every field is optional. An empty document is a valid policy that allows everything:
 * a rule section that is absent is switched off, and a section that is present but empty
 * switches the rule on with the defaults documented below (e.g. `links: {}` sends every
 * message with a link to review, `pii: {}` masks e-mail addresses, phones and cards).
 * Unknown keys are rejected so that typos do not silently disable a rule.
 */
import { z } from 'zod';
import { termProblem } from './terms.js';

/** Actions a rule that does not rewrite content may take. */
export const RuleActionSchema = z.enum(['ALLOW', 'REVIEW', 'DENY']);
/** Actions the PII rule may take (UPDATE = mask and deliver). */
export const PiiActionSchema = z.enum(['UPDATE', 'REVIEW', 'DENY']);

const TermSchema = z
  .string()
  .trim()
  .min(1, 'term must not be empty')
  .superRefine((term, ctx) => {
    const problem = termProblem(term);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const DomainSchema = z.string().trim().min(1, 'domain must not be empty');

const SenderSchema = z
  .string()
  .trim()
  .min(1, 'sender ARN must not be empty')
  .refine((s) => !s.slice(0, -1).includes('*'), '`*` is only supported at the end (prefix match)');

export const TermsSectionSchema = z.strictObject({
  /** Terms and phrases that DENY a message (`terms.block`). */
  block: z.array(TermSchema).default([]),
  /** Terms and phrases that send a message to human REVIEW (`terms.review`). */
  review: z.array(TermSchema).default([]),
});

export const PiiSectionSchema = z.strictObject({
  /** Mask e-mail addresses (`pii.email`). */
  email: z.boolean().default(true),
  /** Mask phone numbers (`pii.phone`). */
  phone: z.boolean().default(true),
  /** Mask Luhn-valid payment card numbers (`pii.card`). */
  card: z.boolean().default(true),
  /** UPDATE delivers the masked content; REVIEW/DENY hold or reject the message instead. */
  action: PiiActionSchema.default('UPDATE'),
});

export const LinksSectionSchema = z.strictObject({
  /** Domains (and their subdomains) that are always fine. */
  allow: z.array(DomainSchema).default([]),
  /** Domains (and their subdomains) that DENY a message (`links.deny`). */
  deny: z.array(DomainSchema).default([]),
  /** What to do with a link to any other domain (`links.unknown`). */
  unknown: RuleActionSchema.default('REVIEW'),
});

export const ContentSectionSchema = z.strictObject({
  /** Longest content allowed, in characters (Unicode code points). */
  maxLength: z.number().int().positive().default(4096),
  /** What to do with longer content (`content.length`). */
  action: RuleActionSchema.default('REVIEW'),
});

export const MetadataSectionSchema = z.strictObject({
  /** When metadata is present it must parse as JSON. */
  requireJson: z.boolean().default(true),
  /** Largest metadata allowed, in UTF-8 bytes. */
  maxBytes: z.number().int().positive().default(1024),
  /** What to do with malformed metadata (`metadata.malformed`). */
  action: RuleActionSchema.default('REVIEW'),
});

export const SendersSectionSchema = z.strictObject({
  /** Sender ARNs whose messages skip every content rule (`sender.allow`). Trailing `*` = prefix. */
  allow: z.array(SenderSchema).default([]),
  /** Sender ARNs whose messages are DENIED (`sender.deny`). Trailing `*` = prefix. */
  deny: z.array(SenderSchema).default([]),
});

export const PolicyDocumentSchema = z.strictObject({
  /** Format version of the document; only 1 exists. */
  version: z.literal(1).optional(),
  /** Free text for operators. */
  description: z.string().optional(),
  terms: TermsSectionSchema.optional(),
  pii: PiiSectionSchema.optional(),
  links: LinksSectionSchema.optional(),
  content: ContentSectionSchema.optional(),
  metadata: MetadataSectionSchema.optional(),
  senders: SendersSectionSchema.optional(),
});

/** A validated policy document (defaults applied). */
export type PolicyDocument = z.output<typeof PolicyDocumentSchema>;
/** A policy document as written (before defaults). */
export type PolicyDocumentInput = z.input<typeof PolicyDocumentSchema>;
