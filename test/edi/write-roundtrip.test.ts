/**
 * Property: whatever values a map, the ERP or a partner's envelope put into an outbound
 * interchange, the writers' bytes read back as the same segments with the same values, or the
 * writer refuses them with an issue. Random separators, syntax identifiers and values built from
 * the service characters themselves, `?`, `*`, Latin-1, Cyrillic, Greek, Polish and characters
 * beyond every 8-bit set (seeded, so a failure names its case). A character the declared set
 * cannot hold may come back as `?`, nothing else: it never becomes a separator, a terminator or
 * a release character (the acks the fuzz suite judged found that three times).
 *
 * One documented decision of the readers is skipped, and counted: bytes of a single-byte set
 * that happen to be valid UTF-8 (`Ω€` in ISO 8859-7 is D9 A4, a UTF-8 pair) are read as the
 * mislabelled UTF-8 that partners really send.
 */
import { isAscii, isUtf8 } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { parseEdifact, writeEdifact } from '../../src/edi/edifact/index.ts'
import type { EdifactInterchangeInput } from '../../src/edi/edifact/write.ts'
import { parseX12, writeX12, x12DataIssues } from '../../src/edi/x12/index.ts'
import { prng } from '../../bench/gen/prng.ts'

const PUNCT = [...`+:'?*~^|>!"%&()/=;<@[]{}\\#$`]
const TEXT = [...'ABCXYZabcxyz0189 .,-'] // ordinary characters, more often than the rest
const WIDE = [...'éüßÿ¤§', ...'ЖукПривет', ...'ΑλφαΩ', ...'ŁźęąĪīħž', '€', '™', '中', '\u{1F4E6}'] // the last is two UTF-16 units

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]
}

function value(r: () => number, extra: readonly string[]): string {
  const n = 1 + Math.floor(r() * 12)
  let v = ''
  for (let i = 0; i < n; i++) {
    const x = r()
    v += x < 0.6 ? pick(r, TEXT) : x < 0.8 ? pick(r, WIDE) : pick(r, extra)
  }
  // No value that is only spaces (a writer may drop an empty trailing element; a space is data).
  return v.trim() === '' ? `${v}A` : v
}

/** Each character the set can hold, from its own decoder (not the writer's tables). */
function holdable(syntaxId: string): (ch: string) => boolean {
  const label = ({ UNOC: 'iso-8859-1', UNOD: 'iso-8859-2', UNOE: 'iso-8859-5', UNOF: 'iso-8859-7' } as Record<string, string>)[syntaxId]
  if (syntaxId === 'UNOW' || syntaxId === 'UNOY') return () => true
  if (!label) return (ch) => ch.charCodeAt(0) <= 0xff // UNOA/UNOB are written as Latin-1 bytes
  const dec = new TextDecoder(label)
  const set = new Set<string>()
  for (let b = 0; b < 256; b++) set.add(dec.decode(new Uint8Array([b])))
  set.delete('\ufffd')
  return (ch) => set.has(ch)
}

/** `back` is `sent` with only characters the set cannot hold turned into `?` (per UTF-16 unit). */
function sameOrSubstituted(sent: string, back: string, ok: (ch: string) => boolean): boolean {
  if (sent === back) return true
  if (sent.length !== back.length) return false
  for (let i = 0; i < sent.length; i++) if (back[i] !== sent[i] && !(back[i] === '?' && !ok(sent[i]))) return false
  return true
}

/**
 * Whether `read` is `sent` (with substitutes), or else what a reader makes of the same bytes when
 * it takes them for mislabelled UTF-8 (the readers decide per segment): re-encoded as UTF-8 they
 * are the set's bytes of `sent`.
 */
function compare(sent: string, read: string, ok: (ch: string) => boolean, decoder: { decode(b: Uint8Array): string }): 'same' | 'utf8' | 'different' {
  if (sameOrSubstituted(sent, read, ok)) return 'same'
  const bytes = Buffer.from(read, 'utf8')
  return !isAscii(bytes) && isUtf8(bytes) && sameOrSubstituted(sent, decoder.decode(bytes), ok) ? 'utf8' : 'different'
}

const decoderFor = (syntaxId: string) =>
  new TextDecoder(({ UNOD: 'iso-8859-2', UNOE: 'iso-8859-5', UNOF: 'iso-8859-7', UNOW: 'utf-8', UNOY: 'utf-8' } as Record<string, string>)[syntaxId] ?? 'latin1')

describe('EDIFACT writer: random values and separators read back', () => {
  it('2,000 seeded interchanges', () => {
    let utf8Like = 0
    for (let seed = 1; seed <= 2000; seed++) {
      const r = prng(seed)
      const syntaxId = pick(r, ['UNOA', 'UNOB', 'UNOC', 'UNOD', 'UNOE', 'UNOF', 'UNOW', 'UNOY'])
      const version = r() < 0.5 ? '3' : '4'
      // Default separators half the time (no UNA; under syntax 4 `*` is then the repetition
      // separator), else four distinct ones drawn from the punctuation pool.
      let delimiters: Record<string, string> = {}
      if (r() < 0.5) {
        const pool = [...PUNCT].filter((c) => c !== '.' && c !== ',')
        const four: string[] = []
        while (four.length < 4) {
          const c = pick(r, pool)
          if (!four.includes(c)) four.push(c)
        }
        delimiters = { component: four[0], element: four[1], release: four[2], segment: four[3] }
      }
      const segments = Array.from({ length: 1 + Math.floor(r() * 4) }, () => ({
        tag: pick(r, ['FTX', 'RFF', 'NAD', 'IMD']),
        elements: Array.from({ length: 1 + Math.floor(r() * 4) }, () => Array.from({ length: 1 + Math.floor(r() * 3) }, () => value(r, PUNCT))),
      }))
      const input: EdifactInterchangeInput = {
        syntax: { id: syntaxId, version },
        sender: { id: value(r, PUNCT), qualifier: '14' },
        receiver: { id: 'THEM', qualifier: '14' },
        date: version === '4' ? '20240101' : '240101',
        time: '1200',
        controlNumber: String(seed),
        messages: [{ ref: '1', type: 'ZZZZZZ', version: 'D96A', segments }],
      }
      const bytes = writeEdifact(input, { delimiters })
      const back = parseEdifact(bytes)
      const where = `seed ${seed} (${syntaxId}:${version}, ${JSON.stringify(delimiters)}): ${bytes.toString('latin1')}`
      const ic = back.interchanges[0]
      expect(ic, where).toBeDefined()
      const ok = holdable(syntaxId)
      const dec = decoderFor(syntaxId)
      const same = (sent: string, read: string, what: string) => {
        const c = compare(sent, read, ok, dec)
        if (c === 'utf8') utf8Like++
        expect(c, `${where}\n${what}: sent ${JSON.stringify(sent)}, read ${JSON.stringify(read)}`).not.toBe('different')
      }
      same(input.sender.id, ic.sender.id, 'UNB sender')
      const tx = ic.groups[0]?.transactions[0]
      expect(tx, where).toBeDefined()
      const body = tx.segments.slice(1, -1)
      expect(body.map((s) => s.tag), where).toEqual(segments.map((s) => s.tag))
      segments.forEach((s, i) => {
        const got = body[i].elements
        expect(got.length, where).toBe(s.elements.length)
        s.elements.forEach((el, j) => {
          expect(got[j].length, `${where}\n${s.tag} element ${j + 1}: ${JSON.stringify(got[j])}`).toBe(el.length)
          el.forEach((c, k) => same(c, got[j][k], `${s.tag}/${j + 1}/${k + 1}`))
        })
      })
    }
    expect(utf8Like).toBeLessThan(100)
  })
})

describe('X12 writer: random values and separators read back, or are refused', () => {
  it('2,000 seeded interchanges', () => {
    let refused = 0
    let utf8Like = 0
    for (let seed = 1; seed <= 2000; seed++) {
      const r = prng(10_000 + seed)
      const version = r() < 0.5 ? '00401' : '00501'
      const pool = PUNCT.filter((c) => c !== ' ')
      const seps: string[] = []
      while (seps.length < 4) {
        const c = pick(r, pool)
        if (!seps.includes(c)) seps.push(c)
      }
      const separators = { element: seps[0], component: seps[1], segment: seps[2], repetition: seps[3] }
      const delims = version >= '00501' ? seps : seps.slice(0, 3)
      // Separators appear in values rarely enough that most interchanges are writable.
      const rare = r() < 0.2 ? pool : ['-', '.', '/']
      const segments = Array.from({ length: 1 + Math.floor(r() * 4) }, () => ({
        tag: pick(r, ['MSG', 'REF', 'N1', 'PID']),
        elements: Array.from({ length: 1 + Math.floor(r() * 4) }, () => Array.from({ length: 1 + Math.floor(r() * 2) }, () => value(r, rare))),
      }))
      // A replacement for delimiters in data a quarter of the time: then nothing is refused.
      const replaceInData = r() < 0.25 ? pick(r, ['_', ' ', '#']).replace(new RegExp(`[${seps.map((c) => `\\${c}`).join('')}]`), '') || undefined : undefined
      const out = writeX12({
        sender: { qualifier: 'ZZ', id: 'US' }, receiver: { qualifier: 'ZZ', id: 'THEM' }, controlNumber: seed,
        date: '240101', time: '1200', version, test: false, separators, replaceInData,
        groups: [{ functionalId: 'PO', senderId: 'US', receiverId: 'THEM', date: '20240101', time: '1200', controlNumber: String(seed), version: version === '00501' ? '005010' : '004010',
          transactions: [{ type: '850', controlNumber: '0001', segments }] }],
      })
      const values = segments.flatMap((s) => s.elements.flat())
      const where = `seed ${seed} (${version}, ${JSON.stringify(separators)})`
      const wide = values.some((v) => /[^\u0000-\u00ff]/.test(v))
      const clash = replaceInData === undefined && (values.some((v) => delims.some((d) => v.includes(d))) || (wide && delims.includes('?')))
      // The check callers make before allocating control numbers gives the writer's verdict.
      expect(x12DataIssues(segments, separators, version, replaceInData).length > 0, `${where}: x12DataIssues`).toBe(clash)
      if (clash) {
        expect(out.ok, `${where}: written although a value holds a delimiter`).toBe(false)
        if (!out.ok) expect(out.issues.map((i) => i.code), where).toContain('element_invalid_character')
        refused++
        continue
      }
      expect(out.ok, `${where}: ${JSON.stringify(!out.ok && out.issues)}`).toBe(true)
      if (!out.ok) continue
      const bytes = Buffer.from(out.text, 'latin1')
      const tx = parseX12(bytes).interchanges[0]?.groups[0]?.transactions[0]
      expect(tx, `${where}: ${out.text}`).toBeDefined()
      const body = tx!.segments.slice(1, -1)
      expect(body.map((s) => s.tag), `${where}: ${out.text}`).toEqual(segments.map((s) => s.tag))
      const latin1 = (ch: string) => ch.charCodeAt(0) <= 0xff
      const dec = new TextDecoder('latin1')
      segments.forEach((s, i) =>
        s.elements.forEach((el, j) => {
          const got = el.length === 1 ? [body[i].elements[j]?.[0]] : body[i].elements[j]
          el.forEach((sent, k) => {
            // With a replacement, each delimiter in the value (and a wide character where `?` is one) is that character.
            let c = sent
            if (replaceInData !== undefined) {
              for (const d of delims) c = c.replaceAll(d, replaceInData)
              if (delims.includes('?')) c = c.replace(/[^\u0000-\u00ff]/g, replaceInData)
            }
            const r = compare(c, got?.[k] ?? '', latin1, dec)
            if (r === 'utf8') utf8Like++
            expect(r, `${where}\n${s.tag}${j + 1}-${k + 1}: sent ${JSON.stringify(sent)}, read ${JSON.stringify(got)}\n${out.text}`).not.toBe('different')
          })
        })
      )
    }
    // Both branches ran.
    expect(refused).toBeGreaterThan(100)
    expect(refused).toBeLessThan(1900)
    expect(utf8Like).toBeLessThan(100)
  })
})
