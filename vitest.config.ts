import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests talk to 127.0.0.1 only; nock blocks everything else (see test/setup.ts).
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    // Starting a stand-in or a real engine can take a while on a loaded 2-core machine.
    hookTimeout: 60_000,
  },
});
