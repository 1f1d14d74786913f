import { ThreatModelSchema, type ThreatModel, type ThreatModelInput } from '../../src/model/schema.ts';

type ThreatInput = ThreatModelInput['threats'] extends (infer T)[] | undefined ? T : never;

/** A small payments system: web -> api -> db, plus a worker; threats on components and a flow. */
export function paymentsModel(overrides: { threats?: ThreatInput[] } = {}): ThreatModel {
  return ThreatModelSchema.parse({
    version: 1,
    system: { name: 'Payments' },
    owners: {
      backend: { name: 'Backend team', github: ['alice', 'bob'] },
      security: { name: 'Security', github: '@sec-lead' },
    },
    boundaries: [
      { id: 'internet', name: 'Internet', trust: 'untrusted' },
      { id: 'vpc', name: 'Production VPC', trust: 'trusted' },
    ],
    components: [
      { id: 'browser', name: 'Browser', type: 'external-entity', boundary: 'internet' },
      { id: 'api', name: 'Payments API', type: 'process', boundary: 'vpc', owner: 'backend', paths: ['services/api/**', '!services/api/**/*.md'] },
      { id: 'db', name: 'Ledger DB', type: 'data-store', boundary: 'vpc', paths: ['db/migrations/**', '**/*.sql'] },
      { id: 'worker', name: 'Settlement worker', type: 'process', boundary: 'vpc', paths: ['services/worker'] },
      { id: 'vendored', name: 'Vendored SDK', type: 'process', paths: ['third_party/**'], out_of_scope: { rationale: 'Upstream code, reviewed by the vendor' } },
    ],
    flows: [
      { id: 'f-browser-api', from: 'browser', to: 'api', protocol: 'HTTPS' },
      { id: 'f-api-db', from: 'api', to: 'db', protocol: 'TLS' },
      { id: 'f-worker-db', from: 'worker', to: 'db' },
    ],
    threats: overrides.threats ?? [
      {
        id: 'TM-1',
        title: 'Forged session token',
        stride: 'S',
        targets: 'api',
        cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        mitigation: 'Verify signatures | rotate keys',
        owner: 'backend',
        status: 'planned',
        due: '2026-01-31',
      },
      { id: 'TM-2', title: 'SQL injection in search', stride: ['T', 'I'], targets: ['api', 'db'], severity: 'high', owner: 'security' },
      { id: 'TM-3', title: 'Ledger tampering in transit', stride: 'T', targets: 'f-api-db', severity: 'medium', status: 'mitigated' },
      { id: 'TM-4', title: 'Worker floods the DB', stride: 'D', targets: 'worker', severity: 'low' },
      { id: '22', title: 'Numeric id threat', stride: 'R', targets: 'browser', severity: 'none' },
    ],
  });
}
