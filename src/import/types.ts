/**
 * What every importer produces: an imported model (written to YAML as is, so values a source
 * had but the schema rejects stay as text for lint to point at), the notes a person should
 * read, and the bookkeeping a merge needs. Data shapes are zod schemas; types are inferred.
 */
import { z } from 'zod';
import { COMPONENT_TYPES, TRUST_LEVELS } from '../model/schema.ts';

export const ImportedBoundarySchema = z.object({
  id: z.string(),
  name: z.string(),
  trust: z.enum(TRUST_LEVELS),
  description: z.string().optional(),
});

export const ImportedComponentSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(COMPONENT_TYPES),
  boundary: z.string().optional(),
  tech: z.array(z.string()).optional(),
  owner: z.string().optional(),
  paths: z.array(z.string()).optional(),
  description: z.string().optional(),
  out_of_scope: z.object({ rationale: z.string() }).optional(),
});

export const ImportedFlowSchema = z.object({
  id: z.string(),
  name: z.string(),
  from: z.string(),
  to: z.string(),
  bidirectional: z.literal(true).optional(),
  data: z.array(z.string()).optional(),
  protocol: z.string().optional(),
  description: z.string().optional(),
  out_of_scope: z.object({ rationale: z.string() }).optional(),
});

export const ImportedOwnerSchema = z.object({
  name: z.string().optional(),
  github: z.array(z.string()).optional(),
  team: z.string().optional(),
  jira: z.string().optional(),
  email: z.string().optional(),
});

/** A threat as written to YAML: values the source had but the schema rejects are kept as text for lint to point at. */
export const ImportedThreatSchema = z.object({
  id: z.union([z.string(), z.number()]),
  title: z.string().optional(),
  stride: z.union([z.string(), z.array(z.string())]).optional(),
  targets: z.union([z.string(), z.array(z.string())]).optional(),
  description: z.string().optional(),
  cvss: z.object({ vector: z.string(), score: z.number().optional() }).optional(),
  severity: z.string().optional(),
  strategy: z.union([z.string(), z.array(z.string())]).optional(),
  mitigation: z.string().optional(),
  owner: z.union([z.string(), z.array(z.string())]).optional(),
  status: z.string().optional(),
  due: z.string().optional(),
  verification: z.string().optional(),
  residual_risk: z.string().optional(),
  rationale: z.string().optional(),
  acceptance: z.object({ by: z.string(), on: z.string(), expires: z.string().optional(), review_every: z.string().optional() }).optional(),
  refs: z.array(z.string()).optional(),
  controls: z.array(z.string()).optional(),
  tests: z.array(z.string()).optional(),
});

/** Key order is the schema's: the writer keeps it. */
export const ImportedModelSchema = z.object({
  version: z.literal(1),
  system: z.object({ name: z.string(), description: z.string().optional() }),
  owners: z.record(z.string(), ImportedOwnerSchema),
  boundaries: z.array(ImportedBoundarySchema),
  components: z.array(ImportedComponentSchema),
  flows: z.array(ImportedFlowSchema),
  threats: z.array(ImportedThreatSchema),
});

export type ImportedBoundary = z.infer<typeof ImportedBoundarySchema>;
export type ImportedComponent = z.infer<typeof ImportedComponentSchema>;
export type ImportedFlow = z.infer<typeof ImportedFlowSchema>;
export type ImportedOwner = z.infer<typeof ImportedOwnerSchema>;
export type ImportedThreat = z.infer<typeof ImportedThreatSchema>;
export type ImportedModel = z.infer<typeof ImportedModelSchema>;

/** Where in the source a note is about: a sheet row and column, or a JSON path (`$.threats[3].risk`). */
export const SourcePlaceSchema = z.object({
  /** 1-based sheet row (header row included) or line. */
  row: z.number().int().positive().optional(),
  /** `C "Owner"`: spreadsheet column letter and header. */
  column: z.string().optional(),
  /** JSON path of a structured source (`$.components[2].parent`). */
  path: z.string().optional(),
});
export type SourcePlace = z.infer<typeof SourcePlaceSchema>;

export const ImportNoteSchema = SourcePlaceSchema.extend({
  /**
   * `review`: a guess to confirm; `problem`: the source has something to fix;
   * `lost`: something the source holds that the written model does not keep (the import
   * refuses to write unless the user allows it).
   */
  kind: z.enum(['review', 'problem', 'lost']),
  message: z.string(),
});
export type ImportNote = z.infer<typeof ImportNoteSchema>;

/** What a merge target already defines; the import resolves names against it and adds only what is new. */
export const ExistingModelSchema = z.object({
  threatIds: z.array(z.string()).readonly(),
  /** Source refs (`otm:<id>`, `td:<uuid>`) the existing threats carry, with the threat that carries each. */
  threatRefs: z.record(z.string(), z.string()).optional(),
  boundaries: z.array(z.object({ id: z.string(), name: z.string().optional() })).readonly().optional(),
  components: z.array(z.object({ id: z.string(), name: z.string().optional() })).readonly(),
  flows: z.array(z.object({ id: z.string(), from: z.string().optional(), to: z.string().optional(), bidirectional: z.boolean().optional() })).readonly(),
  owners: z.array(z.object({ key: z.string(), name: z.string().optional() })).readonly(),
});
export type ExistingModel = z.infer<typeof ExistingModelSchema>;

export interface ImportOptions {
  /** The source file as the user named it (messages, default system name). */
  file: string;
  systemName?: string;
  existing?: ExistingModel;
  /** CSV: `Header=field,...` for headers the importer does not know (`--map`). */
  columnMap?: string;
}

export interface ImportResult {
  /** The format that read the source (`csv`, `otm`, ...). */
  format: string;
  /** Only what is new when merging: boundaries, components, flows and owners the existing model lacks. */
  model: ImportedModel;
  /** CSV: 1-based sheet row of the header. */
  headerRow?: number;
  /** Threats (CSV: data rows, blank ones not counted) the source holds. */
  rows: number;
  notes: ImportNote[];
  /** Comments for the YAML: why an element has its type or trust; what a threat's source had that the model cannot hold. */
  comments: { components: Map<string, string>; boundaries: Map<string, string>; threats: Map<number, string[]> };
  /** Lines of the comment at the top of a new file: what to review. */
  advice: string[];
  /** Comments above sections of a new file. */
  sectionComments: Partial<Record<'boundaries' | 'components' | 'flows' | 'threats', string>>;
  /** Threat ids left out because the existing model has them (by id or source ref). */
  skipped: string[];
  /** Ids used by more than one threat, with their rows or paths. */
  duplicates: { id: string; rows?: number[]; paths?: string[] }[];
}

export type ImportOutcome = { ok: true; result: ImportResult } | { ok: false; message: string; row?: number; path?: string };

/**
 * Prefixes of the refs that keep a source's own ids (`otm:<id>`, `td:<uuid>`): a threat
 * whose source ref a merge target already carries is the same threat, and is not added again.
 */
export const SOURCE_REF_PREFIXES = ['otm', 'td', 'tm7', 'tc', 'threagile', 'pytm'] as const;

export function isSourceRef(ref: string): boolean {
  const colon = ref.indexOf(':');
  return colon > 0 && (SOURCE_REF_PREFIXES as readonly string[]).includes(ref.slice(0, colon)) && ref.length > colon + 1;
}

export const FORMAT_IDS = ['csv', 'otm', 'threat-dragon', 'tm7', 'threat-composer', 'threagile', 'pytm'] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

/** One import format: how sure it is that a text is its own, and how it reads one. */
export interface ImportFormat {
  id: FormatId;
  /** For people: `CSV`, `Open Threat Model`. */
  name: string;
  /** File name endings it usually has: only a hint for the size limit and messages, never for detection. */
  extensions: readonly string[];
  /** Largest file it reads; checked before reading. */
  maxBytes: number;
  /** 0 (not mine) to 1 (certainly mine), from the content alone; must be cheap and never throw. */
  detect(text: string): number;
  /** Pure: text in, the imported model and its notes out. */
  parse(text: string, options: ImportOptions): ImportOutcome;
}
