/** Running `threatloop import` on a fixture in a throwaway working tree, and reading what it wrote. */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { captureIo, workdir } from '../helpers/cli.ts';

export const FIXTURES = join(process.cwd(), 'test/fixtures/import');

export function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

/** A working tree holding the given files (contents) and fixtures (copied by their path under test/fixtures/import). */
export function tree(files: Record<string, string | Buffer> = {}, fixtures: Record<string, string> = {}): string {
  const cwd = workdir(files, 'threatloop-import-formats-');
  for (const [name, path] of Object.entries(fixtures)) copyFileSync(join(FIXTURES, path), join(cwd, name));
  return cwd;
}

export async function runImport(cwd: string, ...args: string[]) {
  const capture = captureIo(cwd);
  const code = await main(['import', ...args], capture.io);
  const stdout = capture.stdout();
  const stderr = capture.stderr();
  expect(`${stdout}\n${stderr}`).not.toMatch(/\n\s+at .*:\d+:\d+/); // never a stack trace
  return { code, stdout, stderr };
}

export interface WrittenModel {
  system: { name: string; description?: string };
  owners: Record<string, { name?: string }>;
  boundaries: { id: string; name: string; trust: string; description?: string }[];
  components: { id: string; name: string; type: string; boundary?: string; owner?: string; tech?: string[]; paths?: string[]; out_of_scope?: { rationale: string } }[];
  flows: { id: string; name?: string; from: string; to: string; bidirectional?: boolean; protocol?: string; data?: string[] }[];
  threats: {
    id: string | number;
    title: string;
    stride: string | string[];
    targets: string | string[];
    cvss?: { vector: string };
    severity?: string;
    status?: string;
    strategy?: string | string[];
    mitigation?: string;
    rationale?: string;
    description?: string;
    owner?: string | string[];
    refs?: string[];
  }[];
}

export function written(cwd: string, file = 'threat-model.yml'): { text: string; model: WrittenModel } {
  const path = join(cwd, file);
  expect(existsSync(path), `${file} written`).toBe(true);
  const text = readFileSync(path, 'utf8');
  return { text, model: parse(text) as WrittenModel };
}

export function threatById(model: WrittenModel, id: string | number) {
  const threat = model.threats.find((t) => String(t.id) === String(id));
  expect(threat, `threat ${id}`).toBeDefined();
  return threat!;
}
