/**
 * The parts of an Open Threat Model document (OTM 0.1 and 0.2, iriusrisk/OpenThreatModel)
 * that the importer reads, as zod schemas: what the specification requires is required here,
 * every optional field may be null (the specification's JSON Schema allows it), and unknown
 * keys are kept (loose objects) so tool-specific extensions do not make a file unreadable.
 */
import { z } from 'zod';

const text = z.string();
const optionalText = z.string().nullish();
const attributes = z.record(z.string(), z.unknown()).nullish();
const tags = z.array(z.string().nullable()).nullish();

/** `{ trustZone: id }` or `{ component: id }` (0.2 schema), or `{ id, type }` as the 0.1 text writes it. */
export const OtmParentSchema = z
  .looseObject({
    trustZone: z.string().optional(),
    component: z.string().optional(),
    id: z.string().optional(),
    type: z.string().optional(),
  })
  .transform((p): { trustZone?: string; component?: string } => {
    if (p.trustZone !== undefined) return { trustZone: p.trustZone };
    if (p.component !== undefined) return { component: p.component };
    if (p.id !== undefined && p.type?.toLowerCase() === 'component') return { component: p.id };
    if (p.id !== undefined) return { trustZone: p.id };
    return {};
  });

export const OtmRepresentationElementSchema = z.looseObject({
  representation: text,
  id: text,
  name: optionalText,
  file: optionalText,
  package: optionalText,
  line: z.number().nullish(),
});

export const OtmThreatInstanceSchema = z.looseObject({
  threat: text,
  state: text,
  mitigations: z.array(z.looseObject({ mitigation: z.string().nullable(), state: z.string().nullable() }).nullable()).nullish(),
});

export const OtmTrustZoneSchema = z.looseObject({
  id: text,
  name: text,
  type: optionalText,
  description: optionalText,
  risk: z.looseObject({ trustRating: z.number() }),
  parent: OtmParentSchema.nullish(),
  representations: z.array(OtmRepresentationElementSchema).nullish(),
  attributes,
});

export const OtmComponentSchema = z.looseObject({
  id: text,
  name: text,
  type: text,
  description: optionalText,
  parent: OtmParentSchema,
  representations: z.array(OtmRepresentationElementSchema).nullish(),
  assets: z.looseObject({ processed: z.array(z.string().nullable()).nullish(), stored: z.array(z.string().nullable()).nullish() }).nullish(),
  threats: z.array(OtmThreatInstanceSchema).nullish(),
  tags,
  attributes,
});

export const OtmDataflowSchema = z.looseObject({
  id: text,
  name: text,
  description: optionalText,
  bidirectional: z.boolean().nullish(),
  source: text,
  destination: text,
  assets: z.array(z.string().nullable()).nullish(),
  threats: z.array(OtmThreatInstanceSchema).nullish(),
  tags,
  attributes,
});

export const OtmThreatSchema = z.looseObject({
  id: text,
  name: text,
  description: optionalText,
  categories: z.array(z.string().nullable()).nullish(),
  cwes: z.array(z.string().nullable()).nullish(),
  risk: z.looseObject({
    likelihood: z.number().nullish(),
    likelihoodComment: optionalText,
    impact: z.number(),
    impactComment: optionalText,
  }),
  tags,
  attributes,
});

export const OtmMitigationSchema = z.looseObject({
  id: text,
  name: text,
  description: optionalText,
  riskReduction: z.number(),
  attributes,
});

export const OtmDocumentSchema = z.looseObject({
  otmVersion: text,
  project: z.looseObject({
    name: text,
    id: text,
    description: optionalText,
    owner: optionalText,
    ownerContact: optionalText,
    tags,
    attributes,
  }),
  representations: z.array(z.looseObject({ id: text, name: text, type: text, repository: z.looseObject({ url: z.string().nullish() }).nullish() })).nullish(),
  assets: z.array(z.looseObject({ id: text, name: text, description: optionalText })).nullish(),
  trustZones: z.array(OtmTrustZoneSchema).nullish(),
  components: z.array(OtmComponentSchema).nullish(),
  dataflows: z.array(OtmDataflowSchema).nullish(),
  threats: z.array(OtmThreatSchema).nullish(),
  mitigations: z.array(OtmMitigationSchema).nullish(),
});

export type OtmDocument = z.infer<typeof OtmDocumentSchema>;
export type OtmComponent = z.infer<typeof OtmComponentSchema>;
export type OtmTrustZone = z.infer<typeof OtmTrustZoneSchema>;
export type OtmThreatInstance = z.infer<typeof OtmThreatInstanceSchema>;
