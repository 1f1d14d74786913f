/**
 * `npm run bench`: every figure the README quotes, measured on this machine.
 * Speed lives here, never in tests. Each bench returns `{ name, value, unit }` rows.
 */
import { benchCvss } from './cvss.bench.ts';
import { benchImportTm7 } from './import-tm7.bench.ts';
import { benchImport } from './import.bench.ts';
import { benchInputBudgets } from './input-budgets.bench.ts';
import { benchJira } from './jira.bench.ts';
import { benchLint } from './lint.bench.ts';
import { benchPace } from './pace.bench.ts';
import { benchPrMatch } from './pr-match.bench.ts';
import { benchPrRefresh } from './pr-refresh.bench.ts';
import { benchProposals } from './proposals.bench.ts';
import { benchReport } from './report.bench.ts';
import { benchStartup } from './startup.bench.ts';
import { benchSync } from './sync.bench.ts';
import { withoutNock } from './without-nock.ts';

interface Figure {
  name: string;
  value: number;
  unit: string;
}

const BENCHES: [string, () => Figure[] | Promise<Figure[]>][] = [
  ['CVSS scoring (target: over 1,000,000 scores per second)', benchCvss],
  ['Load + validate + lint (target: under 1 s and under 200 MB peak RSS)', benchLint],
  ['Pull request file matching (target: 3,000 files x 1,000 components under 100 ms)', benchPrMatch],
  ['Import a 5,000-threat OTM file (target: under 2 s)', benchImport],
  ['Hostile input: many-keys model, crafted-glob pull request (targets: each under 1 s)', benchInputBudgets],
  ['Import a Microsoft Threat Modeling Tool file (target: 5,000 threats under 2 s)', benchImportTm7],
  ['CLI start-up, whole process (target: cvss and lint under 300 ms)', benchStartup],
  ['GitHub API requests per sync (targets: no-op resync writes nothing; one-threat change at most 2 writes)', benchSync],
  ['Pull-request refresh at 2,000 threats (target: threat issue reads in proportion to the threats the PR touches; pages fetched concurrently)', benchPrRefresh],
  ['Jira writes per threat of a first sync (target: one property write per issue; no-op resync writes nothing)', benchJira],
  ['HTML report and evidence pack (targets: 5,000 threats / 500 components under 3 s; 1 read per 100 issues + 1 per issue with cross-links)', benchReport],
  ['Write pace of a first sync through the app (target: at most 1.1 s a write on average)', benchPace],
  ['Proposals: a flood of 500 closures (targets: one commit and one PR write per recompute; a rerun writes nothing)', benchProposals],
];

const only = process.argv.slice(2);
for (const [title, bench] of BENCHES) {
  if (only.length > 0 && !only.some((word) => title.toLowerCase().includes(word.toLowerCase()))) continue;
  console.log(`\n## ${title}`);
  // nock is active once imported (the Jira bench answers through it and turns it on for itself); every
  // other bench talks to loopback stand-ins, which nock would slow by ~40 ms a request.
  for (const figure of await withoutNock(async () => bench())) {
    const value = Number.isInteger(figure.value) ? figure.value.toLocaleString('en-US') : figure.value.toLocaleString('en-US', { maximumFractionDigits: 1 });
    console.log(`${figure.name.padEnd(110)} ${value.padStart(12)} ${figure.unit}`);
  }
}
