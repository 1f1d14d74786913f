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
        /** `{date}` is replaced with the due date, YYYY-MM-DD. */
        title: z.string().includes('{date}', { message: 'must contain {date}' }).default('Threats due {date}'),
      })
      .prefault({}),
    assign_owners: z.boolean().default(true),
    close_statuses: z.array(z.enum(STATUSES)).default(['mitigated', 'verified', 'accepted', 'transferred']),
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
    max_cross_links: z.number().int().min(0).max(50).default(5).meta({
      description: 'Most threat issues one pull request comments on (cross-links when opened, then again when merged)',
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
    lint: z
      .strictObject({
        /** Rule id -> off | warning | error. */
        rules: z.record(z.string(), z.enum(RULE_LEVELS)).default({}),
      })
      .prefault({}),
    issues: IssuesConfigSchema,
    pull_requests: PullRequestsConfigSchema,
    jira: JiraConfigSchema.optional(),
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
