/** Names -> ids and component types: what every format needs when its source has only names. */
import type { ImportedComponent } from './types.ts';

type ComponentType = ImportedComponent['type'];

const DATA_STORE_WORDS = new Set(['database', 'databases', 'db', 'rds', 'dynamodb', 'postgres', 'postgresql', 'mysql', 'storage', 's3', 'bucket', 'buckets', 'log', 'logs', 'store', 'datastore']);
const EXTERNAL_WORDS = new Set(['customer', 'customers', 'user', 'users', 'partner', 'partners', 'patient', 'patients', 'clinician', 'clinicians', 'vendor', 'vendors', 'supplier', 'suppliers']);

/** `Web App (React)` -> `web-app`: lowercase ASCII words joined by `-`, the bracketed detail dropped. */
export function slugify(name: string, fallback = 'component'): string {
  const withoutDetail = name.replace(/\([^)]*\)/g, ' ');
  const base = (withoutDetail.trim() === '' ? name : withoutDetail)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return base === '' ? fallback : base;
}

/** The type a component's name suggests, and the word that suggested it. */
export function guessComponentType(name: string): { type: ComponentType; because?: string } {
  const tokens = name.toLowerCase().normalize('NFKD').split(/[^a-z0-9]+/);
  const store = tokens.find((t) => DATA_STORE_WORDS.has(t));
  if (store) return { type: 'data-store', because: store };
  const external = tokens.find((t) => EXTERNAL_WORDS.has(t));
  if (external) return { type: 'external-entity', because: external };
  return { type: 'process' };
}
