import { defineConfig } from 'vitest/config'

// The embedded PGlite backend serves one connection at a time, so test files run one after
// another there; on real PostgreSQL (DATABASE_URL) each file gets its own schema and files run
// in parallel.
const embedded = !process.env.DATABASE_URL

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: !embedded,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
