/** The PostgreSQL the interop suites use: DATABASE_URL, else the local one every machine runs. */
import postgres from 'postgres'

export const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** True when PostgreSQL answers at `url`; the suite skips with `warn` printed when it does not. */
export async function postgresReachable(suite: string, url = postgresUrl): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} })
  try {
    await sql`select 1`
    return true
  } catch {
    console.warn(`${suite}: skipped, no PostgreSQL answers at ${url.replace(/:[^:@/]*@/, ':***@')}`)
    return false
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {})
  }
}
