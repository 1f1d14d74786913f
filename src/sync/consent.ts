/**
 * Consent for writing into another repository. A repository's config decides only about that repository:
 * `issues.repo: org/other` is honoured only when `org/other`'s own config, on its default branch, lists the
 * model's repository in `accepts_threats_from`; and whether threat issues may be public there is
 * `org/other`'s own `issues.public_repo`, never the source's. Pure: the caller reads the target's config.
 */
import type { ConfigRead } from '../config/load.ts';
import { CONFIG_PATH, type Config } from '../config/schema.ts';
import { sameRepo } from './github/issue-identity.ts';

export type Consent =
  /** `public_repo`: the target's own opt-in to public threat issues. */
  | { granted: true; publicRepo: boolean }
  /** `reason`: what the target must add, for the check run. */
  | { granted: false; reason: string };

export function decideConsent(modelRepo: string, target: { repo: string; defaultBranch: string; config: ConfigRead }): Consent {
  const where = `${target.repo}'s ${CONFIG_PATH} on its default branch (${target.defaultBranch})`;
  const fix =
    `To accept them, ${target.repo} must add to ${CONFIG_PATH} on ${target.defaultBranch}:\n\n` +
    '```yaml\naccepts_threats_from:\n  - ' +
    modelRepo +
    '\n```';
  if (!target.config.ok) {
    return { granted: false, reason: `${where} has errors, so it cannot consent to receive ${modelRepo}'s threat issues: nothing was written there. Fix it; ${fix}` };
  }
  const config: Config = target.config.config;
  if (!config.accepts_threats_from.some((source) => sameRepo(source, modelRepo))) {
    return {
      granted: false,
      reason:
        `${target.repo} has not agreed to receive ${modelRepo}'s threat issues (\`issues.repo\`): nothing was written there. ` +
        `${target.config.found ? `${where} does not list ${modelRepo} in \`accepts_threats_from\`` : `${where} does not exist`}. ${fix}`,
    };
  }
  return { granted: true, publicRepo: config.issues.public_repo };
}
