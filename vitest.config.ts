import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// The embedded PGlite backend serves one connection at a time, so the test files that use the
// test database run one after another there; on real PostgreSQL (DATABASE_URL) each file gets its
// own schema and files run in parallel. Files that never reach the test database (parsers, maps,
// matching rules, CLI commands without a database) run in parallel beside them in both cases.
const embedded = !process.env.DATABASE_URL

/** A file reaches the test database through one of these helpers or variables. */
const USES_DB =
  /helpers\/(db|pipeline|cli|gateway-process|worker-child|postgres|config|large-856)|testDb|TEST_EMBEDDED|startGateway|harness|DATABASE_URL|cliEnv/

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    if (statSync(p).isDirectory()) return p === join('test', 'interop') ? [] : testFiles(p)
    return n.endsWith('.test.ts') ? [p] : []
  })
}

const all = testFiles('test')
const dbFiles = all.filter((f) => USES_DB.test(readFileSync(f, 'utf8')))
const pureFiles = all.filter((f) => !dbFiles.includes(f))

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default on 2 cores is 1 worker; the tests wait on child processes, sockets and
    // the database much of the time, so 3 keep both cores busy.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: { name: 'db', include: dbFiles, globalSetup: ['test/global-setup.ts'], fileParallelism: !embedded },
      },
      { extends: true, test: { name: 'pure', include: pureFiles, fileParallelism: true } },
    ],
  },
})
