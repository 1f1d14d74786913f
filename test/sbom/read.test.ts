import { describe, expect, it } from 'vitest';
import { MAX_SBOM_COMPONENTS, readSbom } from '../../src/sbom/read.ts';
import { SBOM, SBOM_TEXT } from './fixtures.ts';

const read = (text: string) => readSbom(text, 'bom.cdx.json');
const sbomOf = (text: string) => {
  const result = read(text);
  if (!result.ok) throw new Error(result.findings[0]!.message);
  return result.sbom;
};
const problem = (text: string) => {
  const result = read(text);
  if (result.ok) throw new Error('expected findings');
  return result.findings.map((f) => `${f.file}:${f.start.line}:${f.start.column} ${f.rule} ${f.message}`);
};

describe('readSbom', () => {
  const sbom = sbomOf(SBOM_TEXT);

  it('reads metadata.component and every component, nested ones too, with their JSON paths', () => {
    expect(sbom.components.map((c) => [c.path, c.name, c.bomRef, c.purl])).toEqual([
      ['metadata.component', 'shop', 'shop-app', undefined],
      ['components[0]', 'express', 'pkg:npm/express@4.19.2', 'pkg:npm/express@4.19.2'],
      ['components[1]', 'api-image', 'api-image', undefined],
      ['components[1].components[0]', 'openssl', undefined, 'pkg:deb/debian/openssl@3.0.13?arch=amd64'],
      ['components[2]', '@acme/auth', 'acme-auth', 'pkg:npm/%40acme/auth@1.2.0'],
    ]);
    expect([sbom.specVersion, sbom.serialNumber, sbom.version]).toEqual(['1.5', SBOM.serialNumber, 1]);
  });

  it('finds components by bom-ref, by purl (qualifiers and percent-encoding aside), and by a purl without a version', () => {
    const names = (ref: string) => sbom.find(ref).map((c) => c.name);
    expect(names('api-image')).toEqual(['api-image']);
    expect(names('pkg:npm/express@4.19.2')).toEqual(['express']);
    expect(names('pkg:deb/debian/openssl@3.0.13')).toEqual(['openssl']);
    expect(names('pkg:DEB/debian/openssl')).toEqual(['openssl']);
    expect(names('pkg:npm/@acme/auth@1.2.0')).toEqual(['@acme/auth']);
    expect(names('pkg:npm/express@5.0.0')).toEqual([]);
    expect(names('express')).toEqual([]);
    expect(sbom.resolves('acme-auth')).toBe(true);
    expect(sbom.suggest('api-imgae')).toBe('api-image');
  });

  it('says where a file is not JSON, with line and column', () => {
    expect(problem('{\n  "bomFormat": "CycloneDX",\n  "components": [,]\n}')).toEqual([
      "bom.cdx.json:3:18 sbom the SBOM is not valid JSON: Unexpected token ','",
    ]);
    expect(problem('{"bomFormat": "CycloneDX",')).toEqual(['bom.cdx.json:1:27 sbom the SBOM is not valid JSON: Expected double-quoted property name']);
  });

  it('says which field is wrong, by JSON path', () => {
    expect(problem(JSON.stringify({ bomFormat: 'SPDX', specVersion: '2.3' }))).toEqual([
      'bom.cdx.json:1:1 sbom bomFormat: must be "CycloneDX" (only CycloneDX JSON SBOMs are read)',
    ]);
    const noName = structuredClone(SBOM);
    delete (noName.components[1]!.components![0] as { name?: string }).name;
    expect(problem(JSON.stringify(noName))).toEqual(['bom.cdx.json:1:1 sbom components[1].components[0].name: is required (string)']);
    const badPurl = structuredClone(SBOM);
    (badPurl.components[0] as { purl: unknown }).purl = 42;
    expect(problem(JSON.stringify(badPurl))[0]).toMatch(/^bom\.cdx\.json:1:1 sbom components\[0\]\.purl: /);
    expect(problem('[]')[0]).toMatch(/^bom\.cdx\.json:1:1 sbom \(top level\): /);
  });

  it('bounds the work: deep nesting does not overflow the stack, and the component count is capped', () => {
    const depth = 20_000;
    const deep = `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[${'{"name":"n","components":['.repeat(depth)}{"name":"leaf"}${']}'.repeat(depth)}]}`;
    expect(sbomOf(deep).components).toHaveLength(depth + 1);
    const many = { bomFormat: 'CycloneDX', specVersion: '1.5', components: Array.from({ length: MAX_SBOM_COMPONENTS + 1 }, () => ({ name: 'x' })) };
    expect(problem(JSON.stringify(many))).toEqual([`bom.cdx.json:1:1 sbom more than ${MAX_SBOM_COMPONENTS.toLocaleString('en-US')} components`]);
  });
});
