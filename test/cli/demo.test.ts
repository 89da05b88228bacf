/**
 * `npm run demo` (`serve --demo`) sets every secret the demo partners reference: no "did not
 * resolve" warnings in the start output, and the README's demo keys work against the running
 * gateway (3PL API key, EDIFACT supplier key, operator token).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../onboarding/config-dir.ts'

const root = mkdtempSync(join(tmpdir(), 'edi-demo-'))
let child: ChildProcess
let out = ''
let err = ''
let url = ''

beforeAll(async () => {
  // Only PATH and HOME from outside: no demo secret may leak in from the test environment.
  child = spawn(process.execPath, [join(repoRoot, 'bin/edi-gateway.js'), 'serve', '--demo'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: join(root, 'data'), PORT: '0', SFTP_PORT: '0', HOST: '127.0.0.1', AS2_CERT_FILE: join(root, 'as2.crt'), AS2_KEY_FILE: join(root, 'as2.key') },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready\n${out}\n${err}`)), 110_000)
    const check = () => {
      const m = /HTTP\s+http:\/\/[^:\s]+:(\d+)/.exec(out)
      if (!/demo secrets: /.test(out) && !/operator token/.test(out)) return
      if (!m) return
      clearTimeout(timer)
      url = `http://127.0.0.1:${m[1]}`
      resolve()
    }
    child.stdout!.on('data', check)
    child.once('exit', (code) => reject(new Error(`exited ${code}\n${out}\n${err}`)))
  })
  // Give the banner's last lines a moment to arrive.
  await new Promise((r) => setTimeout(r, 300))
}, 120_000)

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }
  rmSync(root, { recursive: true, force: true })
})

describe('npm run demo', { timeout: 60_000 }, () => {
  it('is the package script, and the start shows no unresolved-secret warnings', () => {
    expect(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts.demo).toBe('node bin/edi-gateway.js serve --demo')
    expect(err).not.toMatch(/did not resolve|does not resolve/)
    expect(err.split('\n').filter((l) => /"level":"(warn|error)"/.test(l))).toEqual([])
    expect(out).toMatch(/demo secrets: OPERATOR_TOKEN=ops-demo-token-change-me-0001 DEMO_3PL_API_KEY=3pl-demo-key DEMO_EDIFACT_API_KEY=edifact-demo-key/)
  })

  it('the README keys work: 3PL posts an ASN, the EDIFACT supplier reads its outbox, the operator lists exceptions', async () => {
    const asn = readFileSync(join(repoRoot, 'fixtures/demo-3pl/asn.3pl-20250306-0007.json'), 'utf8')
    const post = await fetch(`${url}/api/v1/asns`, { method: 'POST', headers: { authorization: 'Bearer 3pl-demo-key', 'content-type': 'application/json' }, body: asn })
    expect(post.status).toBe(202)
    const outbox = await fetch(`${url}/api/v1/outbox`, { headers: { authorization: 'Bearer edifact-demo-key' } })
    expect(outbox.status).toBe(200)
    const ops = await fetch(`${url}/api/v1/ops/exceptions`, { headers: { authorization: 'Bearer ops-demo-token-change-me-0001' } })
    expect(ops.status).toBe(200)
  })
})
