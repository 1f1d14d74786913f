import nock from 'nock';
import { afterEach } from 'vitest';

// No test may reach the network: only loopback is allowed through.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

afterEach(() => {
  nock.cleanAll();
});
