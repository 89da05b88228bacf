import { describe, expect, it } from 'vitest'
import { settleAll } from '../../src/lib/settle.ts'

describe('settleAll', () => {
  it('returns the values in order, typed per position', async () => {
    const [a, b] = await settleAll([Promise.resolve(1), Promise.resolve('x')])
    expect([a, b]).toEqual([1, 'x'])
  })

  it('throws the first rejection only once every promise has finished (no step still running after it)', async () => {
    const log: string[] = []
    const slow = (async () => {
      await new Promise((r) => setTimeout(r, 30))
      log.push('slow step 1')
      await new Promise((r) => setTimeout(r, 30))
      log.push('slow step 2')
    })()
    const failing = (async () => {
      log.push('fails')
      throw new Error('first')
    })()
    const late = Promise.reject(new Error('second'))
    await expect(settleAll([slow, failing, late])).rejects.toThrow('first')
    expect(log).toEqual(['fails', 'slow step 1', 'slow step 2'])
  })
})
