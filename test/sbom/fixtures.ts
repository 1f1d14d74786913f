/** A small CycloneDX 1.5 SBOM and a model whose components link to it (written for these tests). */
export const SBOM = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  version: 1,
  metadata: { component: { type: 'application', name: 'shop', version: '2.1.0', 'bom-ref': 'shop-app' } },
  components: [
    { type: 'library', name: 'express', version: '4.19.2', purl: 'pkg:npm/express@4.19.2', 'bom-ref': 'pkg:npm/express@4.19.2' },
    {
      type: 'container',
      name: 'api-image',
      version: 'sha256:abc',
      'bom-ref': 'api-image',
      components: [{ type: 'library', name: 'openssl', version: '3.0.13', purl: 'pkg:deb/debian/openssl@3.0.13?arch=amd64' }],
    },
    { type: 'library', name: '@acme/auth', version: '1.2.0', purl: 'pkg:npm/%40acme/auth@1.2.0', 'bom-ref': 'acme-auth' },
  ],
};

export const SBOM_TEXT = `${JSON.stringify(SBOM, null, 2)}\n`;

export const MODEL_TEXT = `version: 1
system: { name: Shop, out_of_scope: [] }
components:
  - id: api
    name: API
    type: process
    sbom: [api-image, pkg:npm/express@4.19.2, pkg:deb/debian/openssl]
  - { id: auth, name: Auth, type: process, sbom: "pkg:npm/@acme/auth@1.2.0" }
  - { id: db, name: DB, type: data-store }
flows:
  - { id: api-db, from: api, to: db }
threats:
  - id: T1
    title: OpenSSL flaw reachable through the API
    stride: I
    targets: [api, api-db]
    severity: high
    status: verified
    mitigation: TLS terminates at the load balancer; the API never parses TLS itself
    verification: Pen test 2025-03 found no TLS listener on the API hosts
    refs: [CVE-2024-0727, "https://nvd.nist.gov/vuln/detail/cve-2024-0727", CWE-476]
  - id: T2
    title: Prototype pollution in the auth library
    stride: E
    targets: auth
    severity: medium
    status: mitigated
    mitigation: Input is frozen before it reaches the library
    refs: [CVE-2024-1111, CVE-2024-2222]
  - { id: T3, title: Open, stride: T, targets: api, severity: low, refs: [CVE-2024-3333] }
  - { id: T4, title: On a store, stride: D, targets: db, severity: low, status: mitigated, mitigation: Quotas, refs: [CVE-2024-4444] }
`;
