/**
 * `.github/threatloop.yml`: every key optional, every default here.
 * The app reads it with Probot's config loader (org defaults, `_extends`);
 * the CLI reads the file from the working tree. Both validate with this schema.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { SEVERITIES, STATUSES, type Rating } from '../model/schema.ts';

export const RULE_LEVELS = ['off', 'warning', 'error'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

const repoName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be written owner/name');
const severityDays = z.number().int().positive().nullable();
const jiraPriority = z.string().min(1).nullable();

/** What a person closing a threat's issue by hand leads to (`issues.on_manual_close`). */
export const MANUAL_CLOSE_ACTIONS = ['propose', 'reopen', 'keep'] as const;
export type ManualCloseAction = (typeof MANUAL_CLOSE_ACTIONS)[number];

/** Model changes a pull request may make to a threat only with one of its owners' approval. */
export const OWNER_APPROVAL_CHANGES = ['accept', 'not-applicable', 'rescore-down', 'remove', 'reassign'] as const;
export type OwnerApprovalChange = (typeof OWNER_APPROVAL_CHANGES)[number];

export const LabelsConfigSchema = z
  .strictObject({
    /** Put before every managed label, e.g. `tm/` gives `tm/threat`, `tm/severity:high`. */
    prefix: z.string().default(''),
  })
  .prefault({});

export const IssuesConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: 'File one GitHub issue per threat' }),
    repo: repoName
      .optional()
      .meta({ description: 'Where threat issues go, owner/name (default: the repository that holds the model)' }),
    public_repo: z
      .boolean()
      .default(false)
      .meta({ description: 'Opt in to filing threat issues in a public repository (threat details become public)' }),
    labels: LabelsConfigSchema,
    milestones: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** `{date}` is replaced with the due date, YYYY-MM-DD (or the month, YYYY-MM, or the quarter, YYYY-Qn). */
        title: z.string().includes('{date}', { message: 'must contain {date}' }).default('Threats due {date}'),
        granularity: z
          .enum(['date', 'month', 'quarter', 'none'])
          .default('date')
          .meta({
            description:
              'One milestone per due date (date), per month or per quarter (due on its last day), or none: fewer milestones cost fewer writes, but a milestone no longer names the exact due date (the issue body still does)',
          }),
      })
      .prefault({}),
    assign_owners: z.boolean().default(true),
    close_statuses: z.array(z.enum(STATUSES)).default(['mitigated', 'verified', 'accepted', 'transferred', 'not-applicable']),
    sla_days: z
      .strictObject({
        critical: severityDays.default(7),
        high: severityDays.default(30),
        medium: severityDays.default(90),
        low: severityDays.default(180),
        none: severityDays.default(null),
        unscored: severityDays.default(null),
      })
      .prefault({})
      .meta({ description: 'Days until due, per severity, for threats without a `due` date (null: no due date)' }),
    dashboard: z
      .strictObject({
        enabled: z.boolean().default(true),
        title: z.string().min(1).default('Threat model dashboard'),
      })
      .prefault({}),
    on_manual_close: z
      .enum(MANUAL_CLOSE_ACTIONS)
      .optional()
      .meta({
        description:
          'When a person closes a threat issue: propose the status change in a pull request on the model, reopen the issue, or keep it closed and change nothing (default: propose when the app may write contents, else reopen)',
      }),
    /** Writes per sync; the rest resumes on the next run (GitHub allows ~80 content-creating requests a minute). */
    max_writes_per_sync: z.number().int().positive().max(5000).default(300),
  })
  .prefault({});

export const PullRequestsConfigSchema = z
  .strictObject({
    comment: z.boolean().default(true).meta({ description: 'Comment threat context on pull requests' }),
    min_severity: z.enum([...SEVERITIES, 'unscored'] as const).default('unscored').meta({
      description: 'Least severe threats shown (unscored shows everything)',
    }),
    public_detail: z.enum(['full', 'summary', 'off']).default('summary').meta({
      description: 'What a comment on a public repository may show: full details, ids and severities only, or nothing',
    }),
    request_reviews: z
      .boolean()
      .default(false)
      .meta({ description: 'Request review from the GitHub owners of touched critical/high threats' }),
    require_owner_approval: z
      .array(z.enum(OWNER_APPROVAL_CHANGES))
      .default([])
      .meta({
        description:
          'Changes to a threat that fail the Threat model check until one of the threat’s owners approves the pull request: accept (to accepted or transferred), not-applicable, rescore-down, remove, reassign',
      }),
    max_cross_links: z.number().int().min(0).max(50).default(5).meta({
      description: 'Most threat issues one pull request comments on (cross-links when opened, then again when merged)',
    }),
    propose_on_fixes: z.boolean().default(false).meta({
      description:
        'A merged pull request whose title or body says `Fixes <threat id>` proposes that threat’s status change (mitigated, with the PR as evidence) in the proposal pull request, like a closed issue; pull requests from forks never do',
    }),
    fork_cross_links: z.enum(['same-repo', 'none']).default('same-repo').meta({
      description:
        'Cross-link comments for pull requests from forks: only on threat issues in this same repository (same-repo), or none',
    }),
  })
  .prefault({});

export const JiraConfigSchema = z.strictObject({
  project: z.string().regex(/^[A-Z][A-Z0-9_]+$/, 'must be a Jira project key such as SEC'),
  issue_type: z.string().min(1).default('Task'),
  /** Jira priority name per severity (null: leave the priority alone). */
  priority: z
    .strictObject({
      critical: jiraPriority.default('Highest'),
      high: jiraPriority.default('High'),
      medium: jiraPriority.default('Medium'),
      low: jiraPriority.default('Low'),
      none: jiraPriority.default('Lowest'),
      unscored: jiraPriority.default(null),
    })
    .prefault({}),
  labels: z.array(z.string().regex(/^\S+$/, 'Jira labels cannot contain spaces')).default(['threatloop']),
  /** Component id in the model -> Jira component name. */
  components: z.record(z.string(), z.string()).default({}),
  fields: z
    .strictObject({
      cvss_score: z.string().regex(/^customfield_\d+$/).optional(),
      cvss_vector: z.string().regex(/^customfield_\d+$/).optional(),
    })
    .prefault({}),
  transitions: z
    .strictObject({
      done: z.string().min(1).default('Done'),
      reopen: z.string().min(1).default('To Do'),
    })
    .prefault({}),
});

export const ConfigSchema = z
  .strictObject({
    _extends: z.string().optional().meta({ description: 'Inherit from another repository’s config (Probot)' }),
    model: z
      .string()
      .min(1)
      // As GitHub names files (a push's file lists, annotations): `./docs/tm.yml` and `/docs/tm.yml` are `docs/tm.yml`.
      .transform((path) => posix.normalize(path).replace(/^(?:\.\/|\/)+/, ''))
      .default('threat-model.yml')
      .meta({ description: 'Path of the threat model in the repository' }),
    sbom: z
      .string()
      .min(1)
      .transform((path) => posix.normalize(path).replace(/^(?:\.\/|\/)+/, ''))
      .optional()
      .meta({ description: 'Path of a CycloneDX JSON SBOM in the working tree: `threatloop lint` checks components’ `sbom` links against it, `threatloop vex` reads it' }),
    lint: z
      .strictObject({
        /** Rule id -> off | warning | error. */
        rules: z.record(z.string(), z.enum(RULE_LEVELS)).default({}),
        acceptance_warning_days: z
          .number()
          .int()
          .nonnegative()
          .max(3650)
          .default(30)
          .meta({ description: 'Warn (`acceptance-expiring`) this many days before a risk acceptance ends' }),
      })
      .prefault({}),
    issues: IssuesConfigSchema,
    pull_requests: PullRequestsConfigSchema,
    jira: JiraConfigSchema.optional(),
    reminders: z
      .strictObject({
        overdue: z.boolean().default(true).meta({ description: 'Comment once on a threat issue when its due date passes' }),
        before_due_days: z
          .number()
          .int()
          .nonnegative()
          .max(365)
          .nullable()
          .default(7)
          .meta({ description: 'Comment once on a threat issue this many days before it is due (null or 0: no such reminder)' }),
      })
      .prefault({})
      .meta({ description: 'Comments that mention a threat’s owners when it is due soon or overdue, once per threshold' }),
    accepts_threats_from: z.array(repoName).default([]).meta({
      description:
        'Repositories (owner/name) whose threat models may file issues here with `issues.repo`. Read only from this ' +
        'repository’s own config on its default branch: without it, no other repository writes here',
    }),
  })
  .meta({ title: 'threatloop configuration', description: '.github/threatloop.yml' });

export type Config = z.output<typeof ConfigSchema>;
export type IssuesConfig = Config['issues'];
export type JiraConfig = z.output<typeof JiraConfigSchema>;
export type PullRequestsConfig = Config['pull_requests'];

export const CONFIG_PATH = '.github/threatloop.yml';

export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});

export function slaDays(config: Config, rating: Rating): number | null {
  return config.issues.sla_days[rating];
}
