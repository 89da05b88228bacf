/** Parent side of server-child.ts: fork it and talk to it. */
import { fork, type ChildProcess } from 'node:child_process'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..')

export interface ServerChild {
  port: number
  ask<T = Record<string, unknown>>(type: string): Promise<T>
  stop(): Promise<void>
}

export async function startServerChild(env: Record<string, string>): Promise<ServerChild> {
  const child: ChildProcess = fork(
    join(repoRoot, 'bin/run-ts.js'),
    [join(repoRoot, 'test/transports/sftp/server-child.ts')],
    {
      env: { ...process.env, ...env },
      execArgv: [
        '--expose-gc',
        ...(process.env.SFTP_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }
  )
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((res, rej) => {
      const onMsg = (m: Record<string, unknown>) => {
        if (m.type !== type) return
        child.off('message', onMsg)
        child.off('exit', onExit)
        res(m)
      }
      const onExit = (code: number) => rej(new Error(`sftp server child exited with ${code}`))
      child.on('message', onMsg)
      child.once('exit', onExit)
    })
  const ready = await next('ready')
  return {
    port: ready.port as number,
    async ask<T>(type: string) {
      const p = next(type)
      child.send({ type })
      return (await p) as T
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.send({ type: 'stop' })
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(t)
    },
  }
}
