import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

// Test files that use the test database get their own schema in it and run in parallel: on real
// PostgreSQL (DATABASE_URL) they share it; on the embedded backend each vitest worker has its own
// PGlite (test/global-setup.ts), as one PGlite serves one transaction at a time. Files that never
// reach the test database (parsers, maps, matching rules, CLI commands without a database) run in
// parallel beside them.

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

/** Files that start child processes (the CLI, gateway processes, memory-capped children) run longest. */
const SPAWNS = /runCli\(|execFile|spawn\(|fork\(|startGateway|Child\(/

/**
 * Longest files first across both projects, so the slow ones do not end up alone at the end
 * (vitest's own order runs one project after the other). Durations come from vitest's cache of
 * the last run; a fresh clone has none, and then files that start child processes go first,
 * larger files before smaller ones.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache
    const weight = new Map<TestSpecification, number>()
    for (const f of files) {
      const key = `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`
      const known = cache.getFileTestResults(key)?.duration
      const source = readFileSync(f.moduleId, 'utf8')
      weight.set(f, known ?? (SPAWNS.test(source) ? 1e6 : 0) + source.length)
    }
    return [...files].sort((a, b) => weight.get(b)! - weight.get(a)!)
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default on 2 cores is 1 worker; the tests wait on child processes, sockets and
    // the database much of the time, so 3 keep both cores busy.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: { name: 'db', include: dbFiles, globalSetup: ['test/global-setup.ts'], fileParallelism: true },
      },
      { extends: true, test: { name: 'pure', include: pureFiles, fileParallelism: true } },
    ],
  },
})
