/**
 * The threat model file format (`threat-model.yml`, `version: 1`).
 *
 * These zod schemas are the one source of truth: the TypeScript types are
 * inferred from them, and the published JSON Schema is generated from them
 * (`threatloop schema`, `schema/threat-model.schema.json`).
 *
 * Objects are strict: an unknown key is an error (the loader adds a
 * did-you-mean). Convenience spellings are normalised on the way in (one
 * value or a list; STRIDE letters or names; integer threat ids), so the rest
 * of the code only ever sees the normalised shape.
 */
import { z } from 'zod';

export const STRIDE_CATEGORIES = [
  'spoofing',
  'tampering',
  'repudiation',
  'information-disclosure',
  'denial-of-service',
  'elevation-of-privilege',
] as const;
export type StrideCategory = (typeof STRIDE_CATEGORIES)[number];

/** S/T/R/I/D/E letters and the spellings people write in spreadsheets. */
const STRIDE_ALIASES: Record<string, StrideCategory> = {
  s: 'spoofing',
  spoof: 'spoofing',
  spoofing: 'spoofing',
  t: 'tampering',
  tamper: 'tampering',
  tampering: 'tampering',
  r: 'repudiation',
  repudiate: 'repudiation',
  repudiation: 'repudiation',
  i: 'information-disclosure',
  'info-disclosure': 'information-disclosure',
  'information-disclosure': 'information-disclosure',
  d: 'denial-of-service',
  dos: 'denial-of-service',
  'denial-of-service': 'denial-of-service',
  e: 'elevation-of-privilege',
  eop: 'elevation-of-privilege',
  'elevation-of-privilege': 'elevation-of-privilege',
};

/** One-letter code of a STRIDE category, for matrices. */
export const STRIDE_LETTER: Record<StrideCategory, string> = {
  spoofing: 'S',
  tampering: 'T',
  repudiation: 'R',
  'information-disclosure': 'I',
  'denial-of-service': 'D',
  'elevation-of-privilege': 'E',
};

/** Display name of a STRIDE category, for people (legends, issue bodies, reports). */
export const STRIDE_NAME: Record<StrideCategory, string> = {
  spoofing: 'Spoofing',
  tampering: 'Tampering',
  repudiation: 'Repudiation',
  'information-disclosure': 'Information disclosure',
  'denial-of-service': 'Denial of service',
  'elevation-of-privilege': 'Elevation of privilege',
};

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** A threat's rating: a severity, or `unscored` when it has neither vector nor severity. */
export type Rating = Severity | 'unscored';
export const RATINGS: readonly Rating[] = [...SEVERITIES, 'unscored'];

export const TRUST_LEVELS = ['untrusted', 'partner', 'restricted', 'trusted'] as const;
export const COMPONENT_TYPES = ['external-entity', 'process', 'data-store'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];
export const STRATEGIES = ['eliminate', 'mitigate', 'accept', 'transfer'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const STATUSES = [
  'open',
  'planned',
  'in-progress',
  'mitigated',
  'verified',
  'accepted',
  'transferred',
  'not-applicable',
] as const;
export type ThreatStatus = (typeof STATUSES)[number];

const text = z.string().trim().min(1, 'must not be empty');
const id = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits, ".", "_", ":" or "-" (no spaces)');

/** One value or a list of them, always a list afterwards. */
function oneOrMany<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).min(1, 'must list at least one')]).transform((v) =>
    (Array.isArray(v) ? v : [v]) as z.output<T>[],
  );
}

/** A calendar date written `YYYY-MM-DD` (YAML 1.2 keeps it a string). */
export const isoDate = z
  .string()
  // abort: a malformed date gets one finding, not a second "not a real date" one.
  .regex(/^\d{4}-\d{2}-\d{2}$/, { abort: true, error: (issue) => `"${String(issue.input)}" is not a date written YYYY-MM-DD` })
  .refine(
    (s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
    },
    { error: (issue) => `"${String(issue.input)}" is not a real calendar date` },
  );

/** The category a letter or spelling names (any case, spaces or underscores for dashes), if any. */
function strideAlias(text: string): StrideCategory | undefined {
  const key = text.trim().toLowerCase().replace(/[\s_]+/g, '-');
  // Own keys only: "constructor" or "__proto__" must not find Object.prototype's members.
  return Object.hasOwn(STRIDE_ALIASES, key) ? STRIDE_ALIASES[key] : undefined;
}

const strideCategory = z
  .string()
  .transform((s, ctx) => {
    const category = strideAlias(s);
    if (!category) {
      ctx.addIssue({
        code: 'custom',
        message: `"${s}" is not a STRIDE category (use S, T, R, I, D, E or ${STRIDE_CATEGORIES.join(', ')})`,
      });
      return z.NEVER;
    }
    return category;
  })
  .meta({
    description: 'A STRIDE letter (S, T, R, I, D, E) or category name',
    examples: ['S', 'tampering', 'information-disclosure'],
  });

/**
 * STRIDE categories an element does not need a threat for, each with the reason
 * (lint `stride-coverage`). Keys are STRIDE letters or category names, as in a
 * threat's `stride`; normalised to category names.
 */
export const StrideWaiversSchema = z
  .record(z.string(), text.meta({ description: 'Why no threat of this category applies to the element' }))
  .transform((raw, ctx) => {
    const waivers: Partial<Record<StrideCategory, string>> = {};
    const keyOf: Partial<Record<StrideCategory, string>> = {};
    for (const [key, rationale] of Object.entries(raw)) {
      const category = strideAlias(key);
      if (!category) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `"${key}" is not a STRIDE category (use S, T, R, I, D, E or ${STRIDE_CATEGORIES.join(', ')})`,
        });
        continue;
      }
      const earlier = keyOf[category];
      if (earlier !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" waives ${category} a second time (also "${earlier}"); keep one` });
        continue;
      }
      keyOf[category] = key;
      waivers[category] = rationale;
    }
    return waivers;
  })
  .meta({
    description:
      'STRIDE categories that need no threat on this element, each with a rationale (keys: S, T, R, I, D, E or category names)',
    examples: [{ R: 'Read-only static content; no user action to deny' }],
  });

/** A package URL (`pkg:npm/react@18.3.1`) or a CycloneDX bom-ref naming a component in the SBOM. */
const sbomRef = text.refine((ref) => !/^pkg:/i.test(ref) || /^pkg:[a-z.+-][a-z0-9.+-]*\/[^\s]+$/i.test(ref), {
  error: (issue) => `"${String(issue.input)}" starts like a package URL but is not one (pkg:type/namespace/name@version)`,
});

export const OutOfScopeItemSchema = z.strictObject({
  name: text,
  rationale: text,
});

export const SystemSchema = z.strictObject({
  name: text.meta({ description: 'Name of the system the model describes' }),
  description: z.string().optional(),
  context: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: 'Free-form facts: intended use, data retention, users, regulation...' }),
  out_of_scope: z
    .array(OutOfScopeItemSchema)
    .optional()
    .meta({ description: 'Documented exclusions and why (closure checklist: assumptions)' }),
});

export const OwnerSchema = z.strictObject({
  name: z.string().optional(),
  github: oneOrMany(z.string().trim().regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\[bot\])?$/, 'is not a GitHub login'))
    .transform((logins) => logins.map((l) => l.replace(/^@/, '')))
    .optional()
    .meta({ description: 'GitHub logins assigned to this owner’s threat issues' }),
  team: z
    .string()
    .regex(/^@?[^/\s]+\/[^/\s]+$/, 'must be written org/team-slug')
    .transform((t) => t.replace(/^@/, ''))
    .optional()
    .meta({ description: 'GitHub team, org/team-slug, mentioned in threat issues' }),
  jira: z.string().trim().min(1).optional().meta({ description: 'Jira Cloud accountId of the assignee' }),
  email: z.email().optional(),
});

export const BoundarySchema = z.strictObject({
  id,
  name: text,
  trust: z.enum(TRUST_LEVELS),
  description: z.string().optional(),
  assets: z.array(z.string()).optional().meta({ description: 'Key assets at risk inside this zone' }),
});

export const ComponentSchema = z.strictObject({
  id,
  name: text,
  type: z.enum(COMPONENT_TYPES),
  boundary: id.optional().meta({ description: 'Id of the trust boundary the component sits in' }),
  tech: z.array(z.string()).optional(),
  owner: id.optional().meta({ description: 'Key in `owners`' }),
  paths: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: 'Globs of the code that implements this component (used to give PRs threat context)' }),
  description: z.string().optional(),
  out_of_scope: z.strictObject({ rationale: text }).optional(),
  waive: StrideWaiversSchema.optional(),
  sbom: oneOrMany(sbomRef)
    .optional()
    .meta({
      description:
        'The software this component is built from: package URLs (purl) or CycloneDX bom-refs of components in the SBOM (`threatloop vex`, lint `sbom-unknown-ref`)',
      examples: [['pkg:npm/next@14.2.3', 'auth-service-image']],
    }),
});

export const FlowSchema = z.strictObject({
  id,
  name: z.string().optional(),
  from: id.meta({ description: 'Component id' }),
  to: id.meta({ description: 'Component id' }),
  bidirectional: z.boolean().optional(),
  data: z.array(z.string()).optional(),
  protocol: z.string().optional(),
  description: z.string().optional(),
  out_of_scope: z.strictObject({ rationale: text }).optional(),
  waive: StrideWaiversSchema.optional(),
});

/** How often an acceptance is reviewed: a number of days, weeks or months, e.g. `90d`, `12w`, `6m`. */
export const reviewInterval = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,3}[dwm]$/, { error: (issue) => `"${String(issue.input)}" is not an interval such as 90d, 12w or 6m (days, weeks, months)` })
  .meta({ description: 'A number of days, weeks or months: 90d, 12w, 6m', examples: ['90d', '12w', '6m'] });

/** A key in `owners` or a GitHub login (with or without `@`). */
const ownerOrLogin = z
  .string()
  .trim()
  .regex(/^@?[A-Za-z0-9][A-Za-z0-9._:-]*(\[bot\])?$/, 'must be an owner key or a GitHub login')
  .transform((v) => v.replace(/^@/, ''));

export const AcceptanceSchema = z
  .strictObject({
    by: ownerOrLogin.meta({ description: 'Who accepted the risk: a key in `owners` or a GitHub login' }),
    on: isoDate.meta({ description: 'The day the risk was accepted (or last re-accepted), YYYY-MM-DD' }),
    expires: isoDate.optional().meta({ description: 'The last day the acceptance holds, YYYY-MM-DD' }),
    review_every: reviewInterval
      .optional()
      .meta({ description: 'Re-accept at this interval after `on` (90d, 12w, 6m); the acceptance lapses when a review is missed' }),
  })
  // "Until when?" is the auditor's question: an acceptance without an end is not one.
  .refine((a) => a.expires !== undefined || a.review_every !== undefined, {
    error: 'needs `expires` (a date) or `review_every` (e.g. 90d): an acceptance must end or be reviewed',
  })
  .refine((a) => a.expires === undefined || a.expires >= a.on, {
    path: ['expires'],
    error: 'must not be before `on` (the day the risk was accepted)',
  })
  .meta({ description: 'Who accepted (or transferred) the risk, when, and until when' });

export const CvssSchema = z
  .union([
    z.string().trim().min(1),
    z.strictObject({
      vector: z.string().trim().min(1),
      score: z.number().min(0).max(10).optional().meta({ description: 'Stated base score; lint checks it against the vector' }),
    }),
  ])
  .transform((v) => (typeof v === 'string' ? { vector: v } : v))
  .meta({ description: 'A CVSS v3.0, v3.1 or v4.0 vector, or { vector, score }' });

export const ThreatSchema = z.strictObject({
  id: z
    .union([z.string(), z.number().int().nonnegative()])
    .transform((v) => String(v).trim())
    .pipe(id)
    .meta({ description: 'Threat id, e.g. TM-22 or 22 (compared as strings)' }),
  title: text,
  stride: oneOrMany(strideCategory),
  targets: oneOrMany(id).meta({ description: 'Component or flow ids' }),
  description: z.string().optional(),
  cvss: CvssSchema.optional(),
  severity: z
    .enum(SEVERITIES)
    .optional()
    .meta({ description: 'Only for threats rated without a CVSS vector' }),
  strategy: oneOrMany(z.enum(STRATEGIES)).optional(),
  mitigation: z.string().optional(),
  owner: oneOrMany(id).optional().meta({ description: 'Key(s) in `owners`' }),
  status: z
    .enum(STATUSES)
    .default('open')
    .meta({ description: 'not-applicable: the threat does not apply to this system (a rationale says why); it closes the issue as not planned' }),
  due: isoDate.optional(),
  verification: z.string().optional(),
  residual_risk: z.string().optional(),
  rationale: z.string().optional().meta({ description: 'Why a risk is accepted or transferred, or why a threat does not apply (status not-applicable)' }),
  acceptance: AcceptanceSchema.optional().meta({
    description: 'For accepted or transferred threats: { by, on, expires, review_every }',
  }),
  refs: z.array(z.string()).optional().meta({ description: 'Links or identifiers (CWE, CAPEC, tickets, PRs)' }),
  controls: z
    .array(text)
    .optional()
    .meta({ description: 'Ids of the security requirements or controls that answer this threat (e.g. SR-12, IEC 81001-5-1 5.3.2)' }),
  tests: z
    .array(text)
    .optional()
    .meta({ description: 'Ids of, or links to, the tests that verify the mitigation' }),
});

export const ThreatModelSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1),
    system: SystemSchema,
    owners: z.record(id, OwnerSchema).default({}),
    boundaries: z.array(BoundarySchema).default([]),
    components: z.array(ComponentSchema).default([]),
    flows: z.array(FlowSchema).default([]),
    threats: z.array(ThreatSchema).default([]),
    retired: z
      .array(z.union([z.string(), z.number().int().nonnegative()]).transform((v) => String(v).trim()).pipe(id))
      .default([])
      .meta({ description: 'Ids of threats removed from the model; no new threat may use them again (lint `id-reused`)' }),
  })
  .meta({
    title: 'threatloop threat model',
    description: 'A threat model kept as code: system, owners, trust boundaries, components, data flows and threats.',
  });

export type ThreatModel = z.output<typeof ThreatModelSchema>;
export type ThreatModelInput = z.input<typeof ThreatModelSchema>;
export type Threat = ThreatModel['threats'][number];
export type Component = ThreatModel['components'][number];
export type Flow = ThreatModel['flows'][number];
export type Boundary = ThreatModel['boundaries'][number];
export type Owner = z.output<typeof OwnerSchema>;
export type Acceptance = z.output<typeof AcceptanceSchema>;
