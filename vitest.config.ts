import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

// Test files run in parallel, each in its own schema of the test database: real PostgreSQL
// (DATABASE_URL) shared by all, or on the embedded backend one PGlite per vitest worker
// (test/global-setup.ts), as one PGlite serves one transaction at a time.

/** Files that start child processes (the CLI, gateway processes, memory-capped children) run longest. */
const SPAWNS = /runCli\(|execFile|spawn\(|fork\(|startGateway|Child\(/

/**
 * Longest files first, so the slow ones do not end up alone at the end. Durations come from
 * vitest's cache of the last run; a fresh clone has none, and then files that start child
 * processes go first, larger files before smaller ones.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const weight = new Map<TestSpecification, number>()
    for (const f of files) {
      const known = this.ctx.cache.getFileTestResults(`${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`)?.duration
      const source = readFileSync(f.moduleId, 'utf8')
      weight.set(f, known ?? (SPAWNS.test(source) ? 1e6 : 0) + source.length)
    }
    return [...files].sort((a, b) => weight.get(b)! - weight.get(a)!)
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default on 2 cores is 1 worker; the tests wait on child processes, sockets and
    // the database much of the time, so 3 keep both cores busy.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
  },
})
