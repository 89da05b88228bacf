/**
 * The console in a real browser: headless Debian Chromium driven by playwright-core opens the
 * console served by a gateway (real core, real pipeline, demo data posted through the API and an
 * X12 file with a bad date), signs in with the operator token, resolves an exception, opens a
 * message's lineage with the offending segment highlighted, walks the PO and partner views and
 * saves screenshots under test-results/. Nothing may be requested from outside the gateway.
 * Skips when /usr/bin/chromium is absent (apt-get install chromium).
 */
import { existsSync, mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve, type ServerType } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asn3pl, harness, repoRoot, x12Asn, type Harness } from '../http/harness.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const have = existsSync(CHROMIUM)
if (!have) console.warn(`console-chromium: skipped, ${CHROMIUM} not found (apt-get install -y chromium)`)
const shots = join(repoRoot, 'test-results')

describe.skipIf(!have)('console in headless Chromium', () => {
  let h: Harness
  let server: ServerType
  let base: string
  let badX12: string
  let overAsn: string
  let browser: import('playwright-core').Browser

  beforeAll(async () => {
    h = await harness()
    const over = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-OVER-UI', { qty10: 150, sscc: false }) })
    overAsn = ((await over.json()) as { transactionId: string }).transactionId
    await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-GOOD-UI') })
    // The same four SSCCs again on another ASN: four sscc_reused, shown as one row (4×).
    await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-DUP-UI') })
    // An ASN for a PO the ERP does not know: po_not_found, whose replay must say it is still held.
    await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: JSON.parse(JSON.stringify(asn3pl('ASN-ORPHAN-UI', { sscc: false })).replace(/"PO-A1"/g, '"PO-ZZ-UI"')) })
    badX12 = (await h.ctx.receive({
      transport: 'sftp', partnerId: 'x12-partner', filename: 'asn-bad-date.edi',
      body: x12Asn((e) => e.replace(/BSN\*00\*([^*]*)\*(\d+)/, 'BSN*00*$1*20251399')),
    })).messageId
    await h.drain()
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const { chromium } = await import('playwright-core')
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true })
    mkdirSync(shots, { recursive: true })
  })
  afterAll(async () => {
    await browser?.close()
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
    await h?.close()
  })

  it('signs in, resolves an exception, shows lineage with the bad segment, PO workflow and partners', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const requests: string[] = []
    const errors: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    page.on('pageerror', (e) => errors.push(e.message))

    await page.goto(`${base}/`)
    await page.locator('#login').waitFor({ state: 'visible' })
    await page.fill('#token', 'definitely-wrong-token')
    await page.click('#login-form button[type=submit]')
    await expect.poll(() => page.textContent('#login-error')).toContain('rejected')
    await page.fill('#token', h.token)
    await page.click('#login-form button[type=submit]')

    // Exception queue: the over-shipment is there with its explanation.
    const row = page.locator('#exceptions tbody tr[data-code^="qty_"]').first()
    await row.waitFor()
    expect(await row.textContent()).toContain('PO-A1')
    // The partner column reads the API's camelCase partnerId.
    expect(await row.locator('td').nth(1).textContent()).toBe('supplier-a')
    await page.screenshot({ path: join(shots, 'console-exceptions.png'), fullPage: true })
    const id = await row.getAttribute('data-id')
    await row.click()
    await page.locator('#exception-panel .explanation').waitFor()
    await page.fill('#exception-note', 'accepted by buyer (browser test)')
    await page.click('#exception-panel button:has-text("Resolve")')
    await expect.poll(() => page.textContent('#status')).toMatch(/resolve: done/)
    await expect.poll(async () => page.locator(`#exceptions tbody tr[data-id="${id}"]`).count()).toBe(0)
    const resolved = await (await h.call('GET', `/api/v1/ops/exceptions/${id}`, { token: h.token })).json() as { state: string; note: string }
    expect(resolved).toMatchObject({ state: 'resolved', note: 'accepted by buyer (browser test)' })

    // Repeated exceptions of one document are grouped.
    const reused = page.locator('#exceptions tbody tr[data-code="sscc_reused"]')
    // (Both ASNs were translated before either matched, so each names the other: two documents.)
    const counts = await Promise.all((await reused.all()).map((r) => r.getAttribute('data-count')))
    expect(counts).toEqual(['4', '4'])
    for (const t of await reused.allTextContents()) expect(t).toMatch(/4×.*and 3 more like it on this document/)

    // Replay of the po_not_found: the status line shows the outcome and the exception stays open.
    const orphan = page.locator('#exceptions tbody tr[data-code="po_not_found"]').first()
    await orphan.waitFor()
    await orphan.click()
    await page.locator('#exception-panel .explanation').waitFor()
    await page.click('#exception-panel button:has-text("Replay")')
    await expect.poll(() => page.textContent('#status')).toMatch(/^replay: still held: PO PO-ZZ-UI not in the ERP( · updated .*)?$/)
    expect(await page.locator('#exceptions tbody tr[data-code="po_not_found"]').count()).toBe(1)

    // A narrow window does not overflow the page with the exception table.
    await page.setViewportSize({ width: 420, height: 900 })
    await page.locator('#exceptions').waitFor()
    // Evaluated in the page (a string, so the test's types need no DOM library).
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
    await page.setViewportSize({ width: 1400, height: 1000 })

    // Message search, then the lineage of the bad X12 file with BSN highlighted.
    await page.goto(`${base}/#/messages`)
    const msgRow = page.locator(`tr[data-id="${badX12}"]`)
    // partner, transport · standard and doc types, from partnerId and docTypes.
    expect(await msgRow.locator('td').nth(2).textContent()).toBe('x12-partner')
    expect(await msgRow.locator('td').nth(4).textContent()).toBe('856')
    await msgRow.click()
    const mark = page.locator('#raw mark').first()
    await mark.waitFor()
    expect(await mark.textContent()).toMatch(/^BSN\*00\*ASN-20250305-01\*20251399/)
    expect(await mark.getAttribute('title')).toContain('BSN03')
    expect(await page.locator('#lineage').textContent()).toContain('message_invalid')
    // The lineage tables read camelCase rows: the partner, and each transaction's type and span.
    expect(await page.locator('#lineage dl').textContent()).toContain('x12-partner')
    expect(await page.locator('#lineage').textContent()).toMatch(/x12 856 004010\s*0001/)
    expect(await page.locator('#lineage').textContent()).toMatch(/\d+–\d+/)
    await page.screenshot({ path: join(shots, 'console-lineage.png'), fullPage: true })

    // The PO list, then the PO workflow and partner health.
    await page.goto(`${base}/#/pos`)
    const poRow = page.locator('tr', { hasText: 'PO-A1' }).first()
    await poRow.waitFor()
    expect(await poRow.locator('td').nth(1).textContent()).toBe('supplier-a')
    await page.goto(`${base}/#/pos/PO-A1`)
    await page.locator('#po-workflow table').first().waitFor()
    const wf = await page.locator('#po-workflow').textContent()
    expect(wf).toContain('ASN-GOOD-UI')
    expect(wf).toContain('ASN-OVER-UI')
    // No ack exists: Pending and Fulfilment are ticked, Ack is not.
    expect(await page.locator('.stages span.done').count()).toBe(2)
    expect(await page.locator('.stages span:not(.done)').allTextContents()).toEqual(['Ack', 'Billing'])
    // Line 10 of the good ASN (two 60 EA cartons) is one 120 EA entry, not two.
    const line10 = page.locator('#po-workflow table').first().locator('tbody tr').first()
    const asnCell = await line10.locator('td').nth(3).textContent()
    expect(asnCell!.match(/ASN-GOOD-UI/g)).toHaveLength(1)
    expect(asnCell).toMatch(/120 EA ASN-GOOD-UI \(2 items\)/)
    await page.screenshot({ path: join(shots, 'console-po.png'), fullPage: true })
    await page.goto(`${base}/#/partners`)
    await page.locator('tr[data-id="supplier-a"]').waitFor()
    expect(await page.locator('tr[data-id="supplier-a"]').textContent()).toMatch(/d left/)

    expect(errors).toEqual([])
    expect(requests.filter((u) => !u.startsWith(base) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([])
    expect(overAsn).toMatch(/^msg_/)
    await page.close()
  })
})
