/**
 * AS2 admission (src/http/as2-admission.ts) over hono with a registry loaded from real profile
 * files, by source address (what @hono/node-server passes as `incoming`): the per-AS2-From
 * bucket is kept per source, so a stranger who claims a partner's AS2 id spends only its own
 * budget and never locks the real partner out; the async-MDN URL allow-list matches exactly.
 */
import { Hono } from 'hono'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAs2Admission } from '../../src/http/as2-admission.ts'
import { asyncMdnUrlAllowed } from '../../src/transports/as2/async-mdn.ts'
import { hasOpenssl, makeConfigRoot, opensslPair } from '../transports/as2/gateway.ts'

describe.skipIf(!hasOpenssl)('AS2 admission by source address', () => {
  it('a stranger claiming a partner’s AS2-From does not spend the partner’s budget', async () => {
    const cert = opensslPair(mkdtempSync(join(tmpdir(), 'as2-adm-')), 'p').crt
    const { registry } = makeConfigRoot([{ id: 'slow', as2Id: 'SLOW', cert, extra: '  rateLimitPerMinute: 3' }])
    const admission = createAs2Admission(registry, { bodyLimit: 1 << 20, perPartnerPerMinute: 100, perSourcePerMinute: 1000 })
    const app = new Hono().use('*', async (c, next) => admission.admit(c) ?? (await next())).post('/as2', (c) => c.text('stored'))
    const post = async (address: string) =>
      (await app.request('/as2', { method: 'POST', headers: { 'as2-from': '"SLOW"' }, body: 'x' }, { incoming: { socket: { remoteAddress: address } } })).status
    const stranger: number[] = []
    for (let i = 0; i < 5; i++) stranger.push(await post('192.0.2.66'))
    expect(stranger).toEqual([200, 200, 200, 429, 429])
    expect([await post('192.0.2.10'), await post('192.0.2.10'), await post('192.0.2.10'), await post('192.0.2.10')]).toEqual([200, 200, 200, 429])
  })
})

describe('async MDN URL allow-list', () => {
  const list = ['https://as2.acme.example/mdn/', 'https://as2.acme.example:8443/exact', 'http://10.1.2.3/receipts/']
  it.each([
    ['https://as2.acme.example/mdn/1', true],
    ['HTTPS://AS2.ACME.EXAMPLE/mdn/1', true],
    ['https://as2.acme.example:443/mdn/x?y=1', true],
    ['https://as2.acme.example:8443/exact', true],
    ['http://10.1.2.3/receipts/a', true],
    ['https://as2.acme.example/mdn', false],
    ['https://as2.acme.example/mdnx/1', false],
    ['https://as2.acme.example/mdn/../admin', false],
    ['https://as2.acme.example.evil.test/mdn/1', false],
    ['https://evil.test/https://as2.acme.example/mdn/', false],
    ['https://user:pw@as2.acme.example/mdn/1', false],
    ['http://as2.acme.example/mdn/1', false],
    ['https://as2.acme.example:8443/exact/', false],
    ['https://as2.acme.example:8444/exact', false],
    ['http://10.1.2.3:80/receipts/a', true],
    ['http://10.1.2.30/receipts/a', false],
    ['file:///etc/passwd', false],
    ['gopher://as2.acme.example/mdn/', false],
    ['not a url', false],
  ])('%s → %s', (url, ok) => {
    expect(asyncMdnUrlAllowed(list, url)).toBe(ok)
  })
  it('an empty list allows nothing', () => {
    expect(asyncMdnUrlAllowed([], 'https://as2.acme.example/mdn/1')).toBe(false)
  })
})
