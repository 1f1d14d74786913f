import { describe, expect, it } from 'vitest';
import { ImportBuilder } from '../../src/import/builder.ts';
import { detectFormat, formatImportedModel, importSource, mergeIntoModelText, readExistingModel } from '../../src/import/index.ts';
import { loadModel } from '../../src/model/load.ts';

const CONTEXT = { source: 'x.json', date: '2025-06-01' };

describe('ImportBuilder', () => {
  it('keeps source ids as element ids and refs, guesses missing types for review, and finds duplicates by path', () => {
    const build = new ImportBuilder({ file: 'model.json', systemName: 'Shop' });
    const zone = build.boundary({ name: 'Internet', trust: 'untrusted', sourceId: 'internet', ref: 'otm:internet', trustComment: 'trustRating 10' });
    const web = build.component({ name: 'Web App', type: 'process', sourceId: 'web', ref: 'otm:web', boundary: zone, paths: ['src/web/**'] });
    const db = build.component({ name: 'Orders DB', ref: 'otm:db with spaces', sourceId: 'db with spaces' }, { path: '$.components[1]' });
    const flow = build.flow({ from: web, to: db, ref: 'otm:f1', sourceId: 'f1' });
    expect([zone, web, db, flow]).toEqual(['internet', 'web', 'orders-db', 'f1']);
    expect(build.resolve('otm:db with spaces')).toBe('orders-db');
    expect(build.component({ name: 'Web App again', ref: 'otm:web' })).toBe('web');
    const owner = build.owner('@octocat');
    expect(build.threat({ id: 'T1', title: 'a', stride: 'spoofing', targets: web, owner, refs: ['otm:t1'] }, { path: '$.threats[0]' })).toBe('added');
    build.threat({ id: 'T1', title: 'b', stride: 'tampering', targets: flow, refs: ['otm:t2'] }, { path: '$.threats[1]' }, ['a comment']);
    build.lost('attribute "x" is not kept', { path: '$.components[0].attributes.x' });
    const result = build.build('otm');
    expect(result.duplicates).toEqual([{ id: 'T1', paths: ['$.threats[0]', '$.threats[1]'] }]);
    expect(result.notes.map((n) => [n.kind, n.path, n.message])).toEqual([
      ['review', '$.components[1]', 'component orders-db ("Orders DB"): type data-store (guessed from "db")'],
      ['lost', '$.components[0].attributes.x', 'attribute "x" is not kept'],
      ['problem', '$.threats[1]', 'id T1 is used at $.threats[0], $.threats[1]: all kept; give each threat its own id'],
    ]);
    const yaml = formatImportedModel(result, CONTEXT);
    expect(yaml).toContain('    trust: untrusted # trustRating 10\n');
    expect(yaml).toContain('    type: data-store # guessed from "db": review\n');
    expect(yaml).toContain('  # a comment\n  - id: T1\n    title: b\n');
    expect(result.model.owners).toEqual({ octocat: { github: ['octocat'] } });
  });

  it('merging a newer export adds only what is new: known threats by id or source ref, known elements by id', () => {
    const first = new ImportBuilder({ file: 'm.json', systemName: 'S' });
    const web = first.component({ name: 'Web', type: 'process', sourceId: 'web' });
    first.boundary({ name: 'DMZ', trust: 'restricted', sourceId: 'dmz' });
    first.threat({ id: 'T1', title: 'a', stride: 'spoofing', targets: web, refs: ['otm:t1', 'JIRA-1'] });
    const yaml = formatImportedModel(first.build('otm'), CONTEXT);
    const existing = readExistingModel(yaml, 'threat-model.yml');
    if (!existing.ok) throw new Error(existing.message);
    expect(existing.existing.threatRefs).toEqual({ 'otm:t1': 'T1' });

    const next = new ImportBuilder({ file: 'm.json', existing: existing.existing });
    expect(next.component({ name: 'Web', type: 'process', sourceId: 'web' })).toBe('web');
    next.boundary({ name: 'DMZ', trust: 'restricted', sourceId: 'dmz' });
    const api = next.component({ name: 'API', type: 'process', sourceId: 'api' });
    // Renamed in the source, same source ref: the same threat.
    expect(next.threat({ id: 'T1-renamed', title: 'a', stride: 'S', targets: 'web', refs: ['otm:t1'] })).toBe('skipped');
    // Shares a ticket, not a source ref: a new threat.
    expect(next.threat({ id: 'T2', title: 'b', stride: 'T', targets: api, refs: ['JIRA-1'] })).toBe('added');
    const result = next.build('otm');
    expect(result.skipped).toEqual(['T1']);
    expect(result.model.components.map((c) => c.id)).toEqual(['api']);
    expect(result.model.boundaries).toEqual([]);
    const merged = mergeIntoModelText(yaml, 'threat-model.yml', result, CONTEXT);
    if (!merged.ok) throw new Error(merged.message);
    // Every line of the existing file is kept, in order: only lines are inserted.
    let kept = 0;
    const original = yaml.split('\n');
    for (const line of merged.text.split('\n')) if (line === original[kept]) kept++;
    expect(kept).toBe(original.length);
    const loaded = loadModel(merged.text, 'threat-model.yml');
    expect(loaded.ok && loaded.model.threats.map((t) => t.id)).toEqual(['T1', 'T2']);
  });
});

describe('format detection', () => {
  it('reads a CSV by its content and refuses what no format claims, whatever the file is called', () => {
    const csv = detectFormat('ID,Threat,STRIDE\n1,a,S\n');
    expect(csv.ok && csv.format.id).toBe('csv');
    const json = importSource(new TextEncoder().encode('{"title": "not a threat model"}'), 'auto', { file: 'sheet.csv' });
    expect(json.ok).toBe(false);
    expect(!json.ok && json.message).toMatch(/^sheet\.csv: its content is not a format threatloop imports/);
    const unknown = importSource(new TextEncoder().encode('a,b\n'), 'nope', { file: 'x' });
    expect(!unknown.ok && unknown.message).toContain('unknown format "nope"');
  });
});
