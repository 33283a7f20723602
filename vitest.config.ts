import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/global-setup.ts'],
    // Ink renders nothing until exit when it sees CI set (is-in-ci); component tests read frames
    // as they render, so the workers run without it. The CI run's own behaviour is unaffected.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests start real servers and processes; two cores is what CI has.
    maxWorkers: 2,
  },
});
