import { describe, expect, it } from 'vitest';
import { loadConfigText, validateConfigValue } from '../../src/config/load.ts';
import { DEFAULT_CONFIG } from '../../src/config/schema.ts';

describe('repository config', () => {
  it('defaults every key when the file is absent or empty', () => {
    expect(loadConfigText(undefined)).toEqual({ ok: true, config: DEFAULT_CONFIG });
    expect(loadConfigText('# nothing yet\n')).toEqual({ ok: true, config: DEFAULT_CONFIG });
    expect(DEFAULT_CONFIG.model).toBe('threat-model.yml');
    expect(DEFAULT_CONFIG.issues.close_statuses).toEqual(['mitigated', 'verified', 'accepted', 'transferred', 'not-applicable']);
    expect(DEFAULT_CONFIG.pull_requests.public_detail).toBe('summary');
    expect(DEFAULT_CONFIG.jira).toBeUndefined();
  });

  it('merges partial sections with defaults', () => {
    const loaded = loadConfigText('issues:\n  sla_days:\n    critical: 3\njira:\n  project: SEC\n');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.config.issues.sla_days).toMatchObject({ critical: 3, high: 30 });
    expect(loaded.config.jira).toMatchObject({ project: 'SEC', issue_type: 'Task', transitions: { done: 'Done' } });
    expect(loaded.config.jira?.priority.critical).toBe('Highest');
  });

  it('reports unknown keys at their line with a did-you-mean', () => {
    const loaded = loadConfigText('model: tm.yml\nissues:\n  clsoe_statuses: [mitigated]\n');
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.findings).toEqual([
      expect.objectContaining({
        rule: 'config',
        level: 'error',
        start: { line: 3, column: 3 },
        message: expect.stringContaining('did you mean "close_statuses"'),
      }),
    ]);
  });

  it('reports wrong values with the allowed ones', () => {
    const loaded = validateConfigValue({ pull_requests: { public_detail: 'everything' } });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.findings[0]!.message).toContain('pull_requests.public_detail');
    expect(loaded.findings[0]!.message).toContain('"full", "summary", "off"');
  });

  it('reports YAML syntax errors in the config as config findings', () => {
    const loaded = loadConfigText('issues: [\n');
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.findings[0]).toMatchObject({ rule: 'config', level: 'error' });
  });
});
