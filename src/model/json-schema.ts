/**
 * The JSON Schema editors use to validate and complete `threat-model.yml`,
 * generated from the zod schema so the two can never disagree.
 */
import { z } from 'zod';
import { ThreatModelSchema } from './schema.ts';

export const JSON_SCHEMA_PATH = 'schema/threat-model.schema.json';

export function threatModelJsonSchema(): Record<string, unknown> {
  // `input`: the schema describes what people write, before normalisation.
  const schema = z.toJSONSchema(ThreatModelSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  return { ...schema, $id: 'https://github.com/threatloop/threatloop/schema/threat-model.schema.json' };
}

export function threatModelJsonSchemaText(): string {
  return `${JSON.stringify(threatModelJsonSchema(), null, 2)}\n`;
}
