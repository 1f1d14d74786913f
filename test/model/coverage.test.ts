import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APPLICABLE_STRIDE, boundaryCrossingFlows, plaintextProtocol, strideCoverage } from '../../src/model/coverage.ts';
import { loadModel } from '../../src/model/load.ts';
import type { ThreatModel } from '../../src/model/schema.ts';

function model(text: string): ThreatModel {
  const loaded = loadModel(text, 'model.yml');
  if (!loaded.ok) throw new Error(loaded.findings.map((f) => `${f.start.line}: ${f.message}`).join('\n'));
  return loaded.model;
}

function loadFindings(text: string) {
  const loaded = loadModel(text, 'model.yml');
  return loaded.ok ? [] : loaded.findings.map((f) => `${f.start.line}:${f.start.column} ${f.message}`);
}

const BASE = `version: 1
system: { name: Shop }
boundaries:
  - { id: internet, name: Internet, trust: untrusted }
  - { id: partners, name: Partners, trust: partner }
  - { id: cloud, name: Cloud, trust: trusted }
components:
  - id: user
    name: User
    type: external-entity
    boundary: internet
    waive:
      R: Anonymous browsing only; nothing a user could deny having done
  - { id: api, name: API, type: process, boundary: cloud }
  - id: db
    name: Database
    type: data-store
    boundary: cloud
    waive: { repudiation: No user actions are recorded here, denial-of-service: Managed service with its own quotas, S: does not apply }
  - { id: old, name: Legacy, type: process, out_of_scope: { rationale: Retired next month } }
flows:
  - { id: user-api, from: user, to: api, protocol: HTTPS }
  - { id: api-db, from: api, to: db, protocol: PostgreSQL over TLS }
threats:
  - { id: T1, title: Stolen session, stride: [S, E], targets: [user, api] }
  - { id: T2, title: SQL injection, stride: [T, I], targets: [api, db] }
  - { id: T3, title: Replay, stride: T, targets: user-api }
  - { id: T4, title: Sniffing, stride: information-disclosure, targets: [user-api, api] }
`;

describe('strideCoverage', () => {
  const coverage = strideCoverage(model(BASE));
  const byId = new Map(coverage.elements.map((e) => [e.id, e]));

  it('lists every component then every flow, with kind, type and index', () => {
    expect(coverage.elements.map((e) => [e.id, e.kind, e.type, e.index])).toEqual([
      ['user', 'component', 'external-entity', 0],
      ['api', 'component', 'process', 1],
      ['db', 'component', 'data-store', 2],
      ['old', 'component', 'process', 3],
      ['user-api', 'flow', 'flow', 0],
      ['api-db', 'flow', 'flow', 1],
    ]);
  });

  it('applies the STRIDE-per-element table by type', () => {
    const letters = (id: string) => byId.get(id)!.categories.map((c) => c.category);
    expect(letters('user')).toEqual(['spoofing', 'repudiation']);
    expect(letters('api')).toEqual(APPLICABLE_STRIDE.process);
    expect(letters('api')).toHaveLength(6);
    expect(letters('db')).toEqual(['tampering', 'repudiation', 'information-disclosure', 'denial-of-service']);
    expect(letters('user-api')).toEqual(['tampering', 'information-disclosure', 'denial-of-service']);
  });

  it('names the covering threats, the waivers with their rationale, and what is missing', () => {
    const user = byId.get('user')!;
    expect(user.categories).toEqual([
      { category: 'spoofing', state: 'covered', threats: ['T1'] },
      { category: 'repudiation', state: 'waived', threats: [], waiver: 'Anonymous browsing only; nothing a user could deny having done' },
    ]);
    expect(user.missing).toEqual([]);

    const api = byId.get('api')!;
    expect(api.categories.map((c) => [c.category, c.state, c.threats])).toEqual([
      ['spoofing', 'covered', ['T1']],
      ['tampering', 'covered', ['T2']],
      ['repudiation', 'missing', []],
      ['information-disclosure', 'covered', ['T2', 'T4']],
      ['denial-of-service', 'missing', []],
      ['elevation-of-privilege', 'covered', ['T1']],
    ]);
    expect(api.missing).toEqual(['repudiation', 'denial-of-service']);

    expect(byId.get('user-api')!.missing).toEqual(['denial-of-service']);
    expect(byId.get('user')!.beyondType).toEqual([{ category: 'elevation-of-privilege', threats: ['T1'] }]);
    expect(byId.get('api')!.beyondType).toEqual([]);
    expect(byId.get('api-db')!.missing).toEqual(['tampering', 'information-disclosure', 'denial-of-service']);
  });

  it('reports a waiver for a category the type does not have, and ignores it for coverage', () => {
    const db = byId.get('db')!;
    expect(db.inapplicableWaivers).toEqual(['spoofing']);
    expect(db.categories.map((c) => c.state)).toEqual(['covered', 'waived', 'covered', 'waived']);
    expect(db.missing).toEqual([]);
  });

  it('an out-of-scope element misses nothing and is left out of the summary', () => {
    const old = byId.get('old')!;
    expect(old.outOfScope).toBe(true);
    expect(old.missing).toEqual([]);
    expect(old.categories.every((c) => c.state === 'missing')).toBe(true);
    // user 2 + api 6 + db 4 + two flows 3 each = 18 cells over 5 elements in scope.
    expect(coverage.summary).toEqual({ elements: 5, cells: { covered: 9, waived: 3, missing: 6 } });
  });

  it('a threat whose target is listed twice counts once', () => {
    const twice = strideCoverage(model(BASE.replace('targets: user-api }', 'targets: [user-api, user-api] }')));
    expect(twice.elements.find((e) => e.id === 'user-api')!.categories[0]!.threats).toEqual(['T3']);
  });
});

describe('waive in the schema', () => {
  it('accepts letters and names and normalises them to category names', () => {
    const db = model(BASE).components[2]!;
    expect(db.waive).toEqual({
      repudiation: 'No user actions are recorded here',
      'denial-of-service': 'Managed service with its own quotas',
      spoofing: 'does not apply',
    });
  });

  it('rejects an unknown category at its line, and the same category twice', () => {
    const text = BASE.replace('waive:\n      R: Anonymous', 'waive:\n      X: nope\n      R: Anonymous').replace(
      'S: does not apply }',
      'S: does not apply, spoofing: again }',
    );
    expect(loadFindings(text)).toEqual([
      expect.stringMatching(/^13:\d+ components\[0\]\.waive\.X: "X" is not a STRIDE category \(use S, T, R, I, D, E or spoofing, /),
      expect.stringMatching(/^20:\d+ components\[2\]\.waive\.spoofing: "spoofing" waives spoofing a second time \(also "S"\); keep one$/),
    ]);
  });

  it('requires a rationale', () => {
    expect(loadFindings(BASE.replace('S: does not apply }', 'S: "" }'))).toEqual([
      expect.stringMatching(/^19:\d+ components\[2\]\.waive\.S: must not be empty$/),
    ]);
  });
});

describe('boundaryCrossingFlows', () => {
  const CROSSING = BASE.replace(
    'flows:\n',
    `flows:
  - { id: partner-api, from: partner, to: api, protocol: HTTP/1.1 }
  - { id: api-partner, from: api, to: partner, protocol: FTP }
  - { id: sync, from: api, to: partner, bidirectional: true, protocol: plaintext JSON over TLS }
  - { id: nowhere, from: stray, to: api }
  - { id: skipped, from: user, to: api, out_of_scope: { rationale: Test harness only } }
`,
  ).replace('components:\n', 'components:\n  - { id: partner, name: Partner, type: external-entity, boundary: partners }\n  - { id: stray, name: Stray, type: process }\n');
  const crossings = boundaryCrossingFlows(model(CROSSING));

  it('finds flows into a more trusted boundary (either way when bidirectional), with their T/I threats and plaintext', () => {
    expect(crossings.map((c) => [c.flow.id, c.fromBoundary, c.toBoundary, c.tamperingOrDisclosureThreats, c.plaintext])).toEqual([
      ['partner-api', 'partners', 'cloud', [], 'HTTP without TLS'],
      ['sync', 'partners', 'cloud', [], 'the protocol says "plaintext"'],
      ['user-api', 'internet', 'cloud', ['T3', 'T4'], undefined],
    ]);
  });

  it('skips outbound, same-zone, out-of-scope flows and ends with no boundary', () => {
    const ids = crossings.map((c) => c.flow.id);
    for (const id of ['api-partner', 'api-db', 'nowhere', 'skipped']) expect(ids).not.toContain(id);
  });
});

describe('plaintextProtocol', () => {
  it.each([
    ['HTTP', 'HTTP without TLS'],
    ['http/2 JSON', 'http without TLS'],
    ['FTP upload', 'FTP without TLS'],
    ['MQTT', 'MQTT without TLS'],
    ['ws://', 'ws without TLS'],
    ['telnet', 'telnet without TLS'],
    ['gRPC, cleartext', 'the protocol says "cleartext"'],
    ['HTTP, no TLS', 'the protocol says "no TLS"'],
    ['Unencrypted TCP', 'the protocol says "Unencrypted"'],
  ])('%s is plaintext', (protocol, reason) => {
    expect(plaintextProtocol(protocol)).toBe(reason);
  });

  it.each(['HTTPS', 'HTTPS (TLS 1.2+)', 'HTTP over TLS', 'MQTT with mTLS', 'SFTP', 'PostgreSQL over TLS, IAM auth', 'wss', 'AWS Lambda invocation', 'gRPC', 'Email (SES), SMS, push'])(
    '%s is not plaintext',
    (protocol) => {
      expect(plaintextProtocol(protocol)).toBeUndefined();
    },
  );
});

describe('the GenomeWell example', () => {
  it('has a coverage entry for each of its components and flows', () => {
    const genomewell = model(readFileSync('examples/genomewell/threat-model.yml', 'utf8'));
    const coverage = strideCoverage(genomewell);
    expect(coverage.elements).toHaveLength(genomewell.components.length + genomewell.flows.length);
    const { covered, waived, missing } = coverage.summary.cells;
    const applicable = coverage.elements
      .filter((e) => !e.outOfScope)
      .reduce((sum, e) => sum + APPLICABLE_STRIDE[e.type].length, 0);
    expect(covered + waived + missing).toBe(applicable);
  });
});
