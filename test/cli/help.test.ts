/**
 * `--help`, `-h` and `help [command]` print usage and never start anything: no server, no
 * database, no data directory. Each run gets a DATA_DIR that must still not exist afterwards and
 * a hard timeout, so a help flag that starts the gateway fails the test instead of hanging it.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../onboarding/config-dir.ts'

const root = mkdtempSync(join(tmpdir(), 'edi-help-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let n = 0
function help(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; dataDir: string }> {
  const dataDir = join(root, `data-${n++}`)
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/edi-gateway.js'), ...args], {
      cwd: repoRoot,
      // Free ports and no SFTP, so a regression that starts the server cannot collide with anything.
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', SFTP: 'off', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, dataDir })
    })
  })
}

const COMMANDS = ['serve', 'ingest', 'parse', 'partners', 'replay', 'erp', 'messages', 'exceptions']

describe('help never starts anything', { timeout: 60_000 }, () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    it(`${args.join(' ')}: whole-CLI usage on stdout, exit 0, no data directory`, async () => {
      const r = await help(args)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^usage: edi-gateway <command>/)
      for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'))
      expect(r.stdout).not.toMatch(/edi-gateway ready/)
      expect(existsSync(r.dataDir)).toBe(false)
    })
  }

  // Each command once, the three spellings taking turns (every spelling is exercised; each run
  // costs a Node start).
  COMMANDS.forEach((c, i) => {
    {
      const args = [[c, '--help'], [c, '-h'], ['help', c]][i % 3]
      it(`${args.join(' ')}: usage of ${c} only, exit 0, no data directory`, async () => {
        const r = await help(args)
        expect(r.stderr).toBe('')
        expect(r.code).toBe(0)
        expect(r.stdout).toMatch(new RegExp(`^usage: edi-gateway ${c}\\b`))
        expect(r.stdout).not.toMatch(/^usage: edi-gateway <command>/)
        expect(existsSync(r.dataDir)).toBe(false)
      })
    }
  })

  it('a sub-command asks for its own usage: partners certify --help, partners new -h', async () => {
    const a = await help(['partners', 'certify', '--help'])
    expect(a.code).toBe(0)
    expect(a.stdout).toMatch(/^usage: edi-gateway partners certify <partner> <dir>/)
    const b = await help(['partners', 'new', '-h'])
    expect(b.code).toBe(0)
    expect(b.stdout).toMatch(/^usage: edi-gateway partners new <id>/)
    expect(existsSync(a.dataDir) || existsSync(b.dataDir)).toBe(false)
  })

  it('help for a command that does not exist is a one-line error (exit 2)', async () => {
    const r = await help(['help', 'frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')[0]).toBe('edi-gateway: unknown command "frobnicate" (edi-gateway --help lists the commands)')
  })
})
