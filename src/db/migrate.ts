/**
 * Applies src/db/migrations/*.sql in name order, each in its own transaction, and records it in
 * schema_migrations. Same SQL on PostgreSQL and on embedded PGlite. An advisory lock keeps two
 * gateways starting at once from applying the same migration twice.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sha256 } from '../lib/ids.ts'
import type { Sql } from './sql.ts'

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations')

export interface Migration {
  name: string
  sql: string
}

export function listMigrations(dir = DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }))
}

/** Returns the names applied by this call. */
export async function migrate(sql: Sql, migrations = listMigrations()): Promise<string[]> {
  await sql`create table if not exists schema_migrations (
    name text primary key, checksum text not null, applied_at timestamptz not null default now())`
  const applied: string[] = []
  await sql.begin(async (tx) => {
    // Serialise concurrent starts on one database; released at commit.
    await tx`select pg_advisory_xact_lock(hashtext(current_schema() || ':edi-gateway-migrate'))`
    const done = new Set((await tx<{ name: string }[]>`select name from schema_migrations`).map((r) => r.name))
    for (const m of migrations) {
      if (done.has(m.name)) continue
      await tx.unsafe(m.sql)
      await tx`insert into schema_migrations (name, checksum) values (${m.name}, ${sha256(m.sql)})`
      applied.push(m.name)
    }
  })
  return applied
}
