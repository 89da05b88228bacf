/**
 * A real gateway as a child process (`node bin/edi-gateway.js serve`), for the crash, scale-out
 * and security suites: start it with an env, wait until it prints "edi-gateway ready" with the
 * ports it got (PORT=0 / SFTP_PORT=0 pick free ones), then stop it politely (SIGTERM) or kill it
 * hard (SIGKILL, what an OOM killer or a power cut does to the process).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface GatewayProcess {
  child: ChildProcess
  pid: number
  /** http(s)://127.0.0.1:<port> */
  url: string
  httpPort: number
  sftpPort?: number
  /** Everything printed so far (kept to the last 1 MB each). */
  stdout(): string
  stderr(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>
  /** SIGKILL and wait: no cleanup runs in the child. */
  kill9(): Promise<void>
}

export interface StartOptions {
  env: Record<string, string>
  /** Give up waiting for "ready" after this long (embedded first start runs initdb: ~10 s). */
  readyTimeoutMs?: number
  cwd?: string
}

const keep = (s: string) => (s.length > 1 << 20 ? s.slice(-(1 << 20)) : s)

export function startGateway(opts: StartOptions): Promise<GatewayProcess> {
  const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', SFTP: 'off', LOG_LEVEL: 'warn', ...opts.env }
  // Our AS2 key pair lives with the test's data (generated on first start), never in the checkout.
  if (env.DATA_DIR && !env.AS2_CERT_FILE) {
    env.AS2_CERT_FILE = join(env.DATA_DIR, 'as2', 'as2.crt')
    env.AS2_KEY_FILE = join(env.DATA_DIR, 'as2', 'as2.key')
  }
  const child = spawn(process.execPath, ['bin/edi-gateway.js', 'serve'], {
    cwd: opts.cwd ?? repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out = keep(out + d)))
  child.stderr!.on('data', (d) => (err = keep(err + d)))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })))
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`gateway not ready after ${opts.readyTimeoutMs ?? 60_000} ms\n${out}\n${err}`))
    }, opts.readyTimeoutMs ?? 60_000)
    const check = () => {
      const http = /HTTP\s+(https?):\/\/[^:\s]+:(\d+)/.exec(out)
      if (!/edi-gateway ready/.test(out) || !http || !/operator token/.test(out)) return
      clearTimeout(timer)
      child.stdout!.off('data', check)
      const sftp = /SFTP\s+sftp:\/\/[^:\s]+:(\d+)/.exec(out)
      const gp: GatewayProcess = {
        child,
        pid: child.pid!,
        url: `${http[1]}://127.0.0.1:${http[2]}`,
        httpPort: Number(http[2]),
        sftpPort: sftp ? Number(sftp[1]) : undefined,
        stdout: () => out,
        stderr: () => err,
        exited,
        async stop(graceMs = 15_000) {
          if (child.exitCode !== null || child.signalCode !== null) return
          child.kill('SIGTERM')
          const t = setTimeout(() => child.kill('SIGKILL'), graceMs)
          await exited
          clearTimeout(t)
        },
        async kill9() {
          if (child.exitCode !== null || child.signalCode !== null) return
          child.kill('SIGKILL')
          await exited
        },
      }
      resolveStart(gp)
    }
    child.stdout!.on('data', check)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`gateway exited before ready (code ${code}, signal ${signal})\n${out}\n${err}`))
    })
  })
}
