import { defineConfig } from 'vitest/config'

// Suites that need ../shared (corpus, AS2 peer) or host tools (OpenSSH client, Chromium).
// Each one skips with a message when what it needs is absent.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
