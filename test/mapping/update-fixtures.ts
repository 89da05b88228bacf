/**
 * Writes the expected files of every golden fixture from the current maps:
 *   node bin/run-ts.js test/mapping/update-fixtures.ts
 * Then READ the diff: a changed value is either an intended map change or a bug.
 */
import { writeFileSync } from 'node:fs'
import { listCases, runCase } from './fixture-cases.ts'

for (const c of listCases()) {
  const { actual, mapIds } = runCase(c)
  writeFileSync(c.expected, typeof actual === 'string' ? actual : `${JSON.stringify(actual, null, 2)}\n`)
  console.log(`${c.partner}/${c.name} → ${mapIds.join(', ') || 'no map'}`)
}
