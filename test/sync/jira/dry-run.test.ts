import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { CliIo } from '../../../src/cli/io.ts';
import { planJiraDryRun } from '../../../src/sync/jira/dry-run.ts';
import { CONTEXT, config, model, REPO, SITE } from './fixtures.ts';
import { captureIo } from '../../helpers/cli.ts';

const capture = (env: CliIo['env'] = {}) => captureIo(process.cwd(), env);

const planAgainstJira = () =>
  planJiraDryRun({
    model: model(),
    config: config(),
    context: CONTEXT,
    env: { JIRA_HOST: SITE, JIRA_EMAIL: 'bot@acme.example', JIRA_API_TOKEN: 'secret-token-123' },
    repo: REPO,
  });

describe('threatloop plan --jira', () => {
  it('prints the Jira operations of a first sync, offline, after the GitHub plan', async () => {
    const c = capture();
    const code = await main(
      ['plan', 'examples/genomewell/threat-model.yml', '--config', 'examples/genomewell/.github/threatloop.yml', '--today', '2026-01-10', '--jira'],
      c.io,
    );
    expect(c.stderr()).toBe('');
    expect(code).toBe(0);
    const text = c.stdout();
    expect(text).toContain('Jira project SEC, empty (dry run, nothing is written; set JIRA_HOST, JIRA_EMAIL, JIRA_API_TOKEN and name the repository');
    expect(text).toMatch(/create issue {5}\[\S+\] /);
    expect(text).toMatch(/record link {6}\(new issue for threat \S+\) property threatloop/);
  });

  it('puts the Jira plan under `jira` in JSON', async () => {
    const c = capture();
    const code = await main(
      ['plan', 'examples/genomewell/threat-model.yml', '--config', 'examples/genomewell/.github/threatloop.yml', '--format', 'json', '--jira'],
      c.io,
    );
    expect(code).toBe(0);
    const json = JSON.parse(c.stdout()) as { operations: unknown[]; jira: { operations: { op: string }[] } };
    expect(json.operations.length).toBeGreaterThan(0);
    expect(json.jira.operations.filter((o) => o.op === 'create').length).toBeGreaterThan(0);
  });

  it('with credentials and a repository, plans against what Jira holds now (reads only)', async () => {
    nock(SITE).post('/rest/api/3/search/jql').reply(200, { issues: [], isLast: true });
    const result = await planAgainstJira();
    expect(result).toMatchObject({ ok: true, against: 'jira' });
    if (result.ok) expect(result.lines[1]).toBe(`Jira project SEC at ${SITE}, as it is now (dry run, nothing is written):`);
    expect(nock.isDone()).toBe(true);
  });

  it('names a Jira that cannot be read, without credentials', async () => {
    nock(SITE).post('/rest/api/3/search/jql').reply(401, { errorMessages: ['Client must be authenticated'] });
    const result = await planAgainstJira();
    expect(result).toEqual({
      ok: false,
      error: `reading the Jira issues of ${REPO}: Jira refused the credentials (401): check JIRA_EMAIL and JIRA_API_TOKEN (expired token?): Client must be authenticated`,
    });
  });
});
