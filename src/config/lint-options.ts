/** What the repository config says about linting: rule levels and the statuses that close a threat. */
import type { LintOptions } from '../model/lint/index.ts';
import { CONFIG_PATH, type Config } from './schema.ts';

export function lintOptionsFromConfig(config: Config, today: string, where?: LintOptions['config']): LintOptions {
  return {
    today,
    rules: config.lint.rules,
    closeStatuses: config.issues.close_statuses,
    acceptanceWarningDays: config.lint.acceptance_warning_days,
    config: where ?? { file: CONFIG_PATH },
  };
}
