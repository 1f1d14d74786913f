/** A small model, config and context shared by the Jira tests. */
import { ConfigSchema, type Config } from '../../../src/config/schema.ts';
import { ThreatModelSchema, type ThreatModel, type ThreatModelInput } from '../../../src/model/schema.ts';
import type { SyncContext } from '../../../src/sync/github/state.ts';
import type { JiraState } from '../../../src/sync/jira/state.ts';

export const SITE = 'https://acme.atlassian.net';
export const REPO = 'acme/genomics';

export function modelInput(): ThreatModelInput {
  return {
    version: 1,
    system: { name: 'GenomeWell' },
    owners: {
      sec: { name: 'Security team', github: 'alice', team: 'acme/security', jira: '5b10ac8d82e05b22cc7d4ef5' },
      web: { name: 'Web team', github: 'bob' },
    },
    boundaries: [{ id: 'cloud', name: 'Cloud tenant', trust: 'restricted' }],
    components: [
      { id: 'api', name: 'Public API', type: 'process', boundary: 'cloud' },
      { id: 'db', name: 'Genome store', type: 'data-store', boundary: 'cloud' },
      { id: 'user', name: 'Patient', type: 'external-entity' },
    ],
    flows: [{ id: 'upload', name: 'Upload', from: 'user', to: 'api' }],
    threats: [
      {
        id: 22,
        title: 'Session token replay',
        stride: ['S', 'I'],
        targets: ['api', 'upload'],
        description: 'An attacker replays a stolen token.\n\nTokens live 24 h.',
        cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N',
        strategy: 'mitigate',
        mitigation: 'Bind tokens to the device.',
        owner: 'sec',
        due: '2026-03-01',
        refs: ['CWE-294', 'https://cwe.mitre.org/data/definitions/294.html'],
      },
      {
        id: 'TM-7',
        title: 'Genome store readable by operators',
        stride: 'I',
        targets: 'db',
        severity: 'medium',
        owner: 'web',
      },
    ],
  };
}

export function model(change?: (m: ThreatModelInput) => void): ThreatModel {
  const input = modelInput();
  change?.(input);
  return ThreatModelSchema.parse(input);
}

export function config(jira: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse({
    jira: {
      project: 'SEC',
      components: { api: 'API', db: 'Storage' },
      fields: { cvss_score: 'customfield_10050', cvss_vector: 'customfield_10051' },
      ...jira,
    },
  });
}

export const CONTEXT: SyncContext = {
  modelRepo: REPO,
  sha: 'a'.repeat(40),
  ref: 'refs/heads/main',
  modelPath: 'threat-model.yml',
  actor: 'alice',
  webUrl: 'https://github.com',
  today: '2026-01-10',
};

export const EMPTY_JIRA: JiraState = { site: SITE, issues: new Map(), notes: [] };
