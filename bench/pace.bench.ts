// Seconds per write of a first sync as the app runs it: the GenomeWell example pushed to the GitHub
// stand-in, a Probot app with production pacing (Probot's throttling plugin on, our pacer at GitHub's
// 1 s between content-creating requests, real time). GitHub's rule sets the floor at 1 s a write; the
// target is at most 1.1 s on average (it was 2.2 s when the plugin's 3 s queue for notifying writes
// and our pacer both waited). Takes about as many seconds as the sync writes.
// Run: npm run bench -- pace
import { readFileSync } from 'node:fs';
import { Probot } from 'probot';
import { createThreatloopApp } from '../src/app/index.ts';
import { AppOctokit } from '../src/app/runtime.ts';
import { GitHubStandin } from '../test/helpers/github-standin.ts';
import { recordingLogger, testPrivateKey } from '../test/helpers/probot.ts';

export async function benchPace(): Promise<{ name: string; value: number; unit: string }[]> {
  const model = readFileSync(new URL('../examples/genomewell/threat-model.yml', import.meta.url), 'utf8');
  const github = await GitHubStandin.start();
  try {
    const repo = github.addRepo({ owner: 'acme', name: 'genomewell', assignees: [], files: { 'README.md': 'GenomeWell' } });
    const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), baseUrl: github.url, log: recordingLogger(), Octokit: AppOctokit });
    const threatloop = createThreatloopApp({ env: {} });
    await probot.load(threatloop.app);
    const push = github.push('acme/genomewell', { 'threat-model.yml': model });
    const started = performance.now();
    await probot.receive({ name: 'push', id: 'bench', payload: github.pushPayload('acme/genomewell', push) as never });
    await threatloop.idle();
    const seconds = (performance.now() - started) / 1000;
    const writes = github.writes().length;
    await threatloop.stop();
    return [
      { name: 'GenomeWell first sync through the app: threat issues filed', value: repo.issues.filter((i) => i.labels.includes('threat')).length, unit: 'issues' },
      { name: 'GenomeWell first sync through the app: writes (check run included)', value: writes, unit: 'requests' },
      { name: 'GenomeWell first sync through the app: wall time', value: seconds, unit: 's' },
      { name: 'GenomeWell first sync through the app: average per write (target: at most 1,100; GitHub floor 1,000)', value: Math.round((seconds * 1000) / writes), unit: 'ms/write' },
    ];
  } finally {
    await github.close();
  }
}
