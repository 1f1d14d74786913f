/** The approval gate's reads against the GitHub stand-in: reviews bounded by pages, team membership by answer. */
import { describe, expect, it } from 'vitest';
import { createTokenClient, noDelay } from '../../src/github/client.ts';
import { listReviews, teamMembership } from '../../src/github/reviews.ts';
import { useGitHubStandin } from '../helpers/loopback.ts';

const standin = useGitHubStandin();
const client = () => createTokenClient({ token: 'ghs_test', baseUrl: standin.github.url, delay: noDelay, throttle: false });

describe('listReviews', () => {
  it('reads every page up to the bound, oldest first, and says when it stopped short', async () => {
    const github = standin.github;
    github.addRepo({ owner: 'acme', name: 'app', files: { 'threat-model.yml': 'x' } });
    const pull = github.addPullRequest('acme/app', ['threat-model.yml']);
    for (let k = 0; k < 250; k++) github.addReview('acme/app', pull, { login: `r${k}`, state: k % 2 ? 'APPROVED' : 'COMMENTED', commitId: 'a'.repeat(40) });

    const all = await listReviews(client(), { owner: 'acme', repo: 'app' }, pull);
    expect(all.capped).toBe(false);
    expect(all.reviews).toHaveLength(250);
    expect(all.reviews[1]).toEqual({ login: 'r1', state: 'APPROVED', commitId: 'a'.repeat(40) });

    const before = github.requests.length;
    const bounded = await listReviews(client(), { owner: 'acme', repo: 'app' }, pull, 2);
    expect(bounded).toMatchObject({ capped: true });
    expect(bounded.reviews.map((r) => r.login).slice(-1)).toEqual(['r199']);
    expect(github.requests.slice(before).filter((r) => r.path.endsWith('/reviews'))).toHaveLength(2);
    // Fewer than the bound: nothing was left unread.
    expect((await listReviews(client(), { owner: 'acme', repo: 'app' }, pull, 3)).capped).toBe(false);
  });
});

describe('teamMembership', () => {
  it('an active member, not a member (404), and unreadable without members: read (403)', async () => {
    const github = standin.github;
    github.teams.set('acme/security', ['kim']);
    expect(await teamMembership(client(), 'acme/security', 'KIM')).toBe('member');
    expect(await teamMembership(client(), '@acme/security', 'lou')).toBe('not-member');
    github.teamsReadable = false;
    expect(await teamMembership(client(), 'acme/security', 'kim')).toBe('unreadable');
  });
});
