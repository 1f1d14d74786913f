/** Tests that talk only to the GitHub stand-in (test/helpers/github-standin.ts). */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { GitHubStandin } from './github-standin.ts';

/**
 * nock's fetch interception adds ~40 ms to every request with a body, even to
 * an allowed loopback host (a 600-write sync takes half a minute). Tests that
 * talk only to the stand-in call this in `beforeAll`: nock steps aside and a
 * fetch guard keeps the "loopback only" rule of test/setup.ts. Call the
 * returned function in `afterAll`.
 */
export function loopbackOnlyFetch(): () => void {
  nock.restore();
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      return Promise.reject(new Error(`test tried to reach ${url.host}: only 127.0.0.1 is allowed`));
    }
    return realFetch(input, init);
  };
  return () => {
    globalThis.fetch = realFetch;
    nock.activate();
  };
}

/**
 * A fresh stand-in per test, nock stepped aside for the file:
 * `const standin = useGitHubStandin(); ... standin.github.addRepo(...)`.
 */
export function useGitHubStandin(options: { prefix?: string } = {}): { readonly github: GitHubStandin } {
  let restore: () => void = () => undefined;
  const holder = { github: undefined as unknown as GitHubStandin };
  beforeAll(() => {
    restore = loopbackOnlyFetch();
  });
  afterAll(() => restore());
  beforeEach(async () => {
    holder.github = await GitHubStandin.start(options);
  });
  afterEach(async () => {
    await holder.github.close();
  });
  return holder;
}
