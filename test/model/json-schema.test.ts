import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_PATH, threatModelJsonSchema, threatModelJsonSchemaText } from '../../src/model/json-schema.ts';

describe('published JSON Schema', () => {
  it('is the committed file, regenerated from the zod schema (run `npm run schema` after changing it)', () => {
    expect(readFileSync(JSON_SCHEMA_PATH, 'utf8')).toBe(threatModelJsonSchemaText());
  });

  it('rejects unknown keys and lists every section and threat field for completion', () => {
    const schema = threatModelJsonSchema() as {
      additionalProperties: boolean;
      properties: Record<string, { items?: { properties: Record<string, unknown>; additionalProperties: boolean } }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['version', 'system', 'owners', 'boundaries', 'components', 'flows', 'threats', 'retired']),
    );
    const threat = schema.properties.threats!.items!;
    expect(threat.additionalProperties).toBe(false);
    expect(Object.keys(threat.properties)).toEqual([
      'id', 'title', 'stride', 'targets', 'description', 'cvss', 'severity', 'strategy', 'mitigation',
      'owner', 'status', 'due', 'verification', 'residual_risk', 'rationale', 'acceptance', 'refs', 'controls', 'tests',
    ]);
  });
});
