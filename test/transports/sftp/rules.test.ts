/** Name rules, EDI sniffing, poll globs and the jail, without a server. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createJail, JailError, toVirtual } from '../../../src/transports/sftp/jail.ts'
import { globToRegExp, isTempName, sniffEdi } from '../../../src/transports/sftp/rules.ts'

const sniff = (s: string) => sniffEdi(Buffer.from(s), Buffer.byteLength(s))

describe('upload rules', () => {
  it('recognises temporary upload names', () => {
    for (const n of [
      'a.edi.part',
      'a.tmp',
      'A.FILEPART',
      'x.edi~',
      '.hidden',
      'sub/.x',
      'b.partial',
      '~lock',
    ])
      expect(isTempName(n), n).toBe(true)
    for (const n of ['a.edi', 'order.x12', 'partner.txt', 'tmp/a.edi', 'a.parts'])
      expect(isTempName(n), n).toBe(false)
  })

  it('sniffs X12, EDIFACT and JSON, and says why anything else is refused', () => {
    expect(sniff('ISA*00*')).toEqual({ ok: true, standard: 'x12' })
    expect(sniff("\ufeff\r\n  UNA:+.? '")).toEqual({ ok: true, standard: 'edifact' })
    expect(sniff('UNB+UNOC:3')).toEqual({ ok: true, standard: 'edifact' })
    expect(sniff(' {"kind":"po"}')).toEqual({ ok: true, standard: 'json' })
    expect(sniff('')).toMatchObject({ ok: false, code: 'empty' })
    expect(sniff('  \n')).toMatchObject({ ok: false, code: 'empty' })
    expect(sniff('%PDF-1.7')).toMatchObject({
      ok: false,
      code: 'not_edi',
      detail: expect.stringContaining('%PDF-1.7'),
    })
  })

  it('matches poll patterns on the whole name', () => {
    const re = globToRegExp('*.{edi,x12}')
    expect(['a.edi', 'b.x12'].every((n) => re.test(n))).toBe(true)
    expect(['a.edi.part', 'a.txt', 'dir/a.edi'].some((n) => re.test(n))).toBe(false)
    expect(globToRegExp('ORD_??.txt').test('ORD_01.txt')).toBe(true)
    expect(globToRegExp('ORD_??.txt').test('ORD_001.txt')).toBe(false)
    expect(globToRegExp('a+b(1).edi').test('a+b(1).edi')).toBe(true)
  })
})

describe('jail', () => {
  const root = mkdtempSync(join(tmpdir(), 'jail-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  mkdirSync(join(root, 'acme', 'inbox'), { recursive: true })
  mkdirSync(join(root, 'globex', 'outbox'), { recursive: true })
  writeFileSync(join(root, 'globex', 'outbox', 'secret'), 'x')
  symlinkSync(join(root, 'globex'), join(root, 'acme', 'inbox', 'out-link'))
  symlinkSync(join(root, 'globex', 'nowhere'), join(root, 'acme', 'inbox', 'dangling'))
  symlinkSync(join(root, 'acme', 'inbox'), join(root, 'acme', 'in-link'))
  const jail = createJail(join(root, 'acme'))

  it('resolves .. lexically and never above /', () => {
    expect(toVirtual('../../globex/outbox')).toBe('/globex/outbox')
    expect(toVirtual('')).toBe('/')
    expect(toVirtual('inbox/../../..')).toBe('/')
    expect(() => toVirtual('a\0b')).toThrow(JailError)
  })

  it('maps into the root and refuses symlinks that lead out, dangling ones included', async () => {
    expect(await jail.real('/../../globex/outbox/secret')).toBe(
      join(root, 'acme', 'globex', 'outbox', 'secret')
    )
    await expect(jail.real('/inbox/out-link/outbox/secret')).rejects.toThrow(JailError)
    await expect(jail.real('/inbox/out-link')).rejects.toThrow(JailError)
    await expect(jail.real('/inbox/dangling')).rejects.toThrow(JailError)
    expect(await jail.real('/in-link/new.edi')).toBe(join(root, 'acme', 'in-link', 'new.edi'))
  })
})
