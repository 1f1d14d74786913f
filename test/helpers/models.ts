/**
 * Threat models for sync tests and benchmarks: small, valid, deterministic.
 * `threatModelText({ threats: 500 })` gives 500 threats over a few components.
 */
export interface ModelShape {
  threats: number;
  /** Per-threat overrides by index, e.g. { 0: { status: 'mitigated' } }. */
  overrides?: Record<number, Partial<Record<'status' | 'title' | 'owner' | 'due' | 'cvss', string>>>;
  /** Threat indexes to leave out (a removed threat). */
  omit?: number[];
}

const VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
  'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N',
];
const STRIDE = ['S', 'T', 'R', 'I', 'D', 'E'];

export function threatId(index: number): string {
  return `TM-${index + 1}`;
}

export function threatModelText(shape: ModelShape): string {
  const lines = [
    'version: 1',
    'system:',
    '  name: Test system',
    'owners:',
    '  security:',
    '    name: Security',
    '    github: [sec-lead]',
    '    team: acme/security',
    '  platform:',
    '    name: Platform',
    '    github: [plat-dev]',
    'boundaries:',
    '  - id: internet',
    '    name: Internet',
    '    trust: untrusted',
    '  - id: cloud',
    '    name: Cloud',
    '    trust: trusted',
    'components:',
    '  - id: user',
    '    name: User',
    '    type: external-entity',
    '    boundary: internet',
    '  - id: api',
    '    name: API',
    '    type: process',
    '    boundary: cloud',
    '    owner: platform',
    '    paths: ["src/api/**"]',
    '  - id: db',
    '    name: Database',
    '    type: data-store',
    '    boundary: cloud',
    '    owner: platform',
    'flows:',
    '  - id: user-api',
    '    from: user',
    '    to: api',
    '    protocol: HTTPS',
    '  - id: api-db',
    '    from: api',
    '    to: db',
    '    protocol: TLS',
    'threats:',
  ];
  const omit = new Set(shape.omit ?? []);
  for (let i = 0; i < shape.threats; i++) {
    if (omit.has(i)) continue;
    const o = shape.overrides?.[i] ?? {};
    lines.push(
      `  - id: ${threatId(i)}`,
      `    title: ${o.title ?? `Threat number ${i + 1} against the ${['API', 'database', 'login flow'][i % 3]}`}`,
      `    stride: ${STRIDE[i % STRIDE.length]}`,
      `    targets: ${['api', 'db', 'user-api'][i % 3]}`,
      `    cvss: "${o.cvss ?? VECTORS[i % VECTORS.length]}"`,
      '    strategy: mitigate',
      `    mitigation: Mitigation ${i + 1}`,
      `    owner: ${o.owner ?? (i % 2 === 0 ? 'security' : 'platform')}`,
      `    status: ${o.status ?? 'open'}`,
      `    due: ${o.due ?? `2031-0${(i % 9) + 1}-15`}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
