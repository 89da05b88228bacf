import { describe, expect, it } from 'vitest'
import { createEdifactReader } from '../../src/edi/edifact/index.ts'
import { createLexer } from '../../src/edi/edifact/lexer.ts'
import { createAssembler } from '../../src/edi/edifact/assemble.ts'
import { createMessageValidator } from '../../src/edi/edifact/validate.ts'
import { findMessageDef } from '../../src/edi/dictionary/edifact-index.ts'
import { createX12Reader } from '../../src/edi/x12/reader.ts'
import { createX12Lexer } from '../../src/edi/x12/lexer.ts'

/**
 * The streaming parsers' per-segment code must be shared by every reader: methods on a class,
 * not closures made per reader. Closures die with their reader, and the next major GC takes
 * their optimized code along, so each new file ran interpreted until re-optimized (measured in
 * the benchmark: ~95 instead of ~160 MB/s for a run after a full GC). This pins that shape.
 */
function methods(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (let p = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k)!
      if (typeof d.value === 'function' && k !== 'constructor' && !(k in out)) out[k] = d.value
    }
  }
  return out
}

function expectShared(a: object, b: object, atLeast: string[]): void {
  const ma = methods(a)
  const mb = methods(b)
  for (const k of atLeast) expect(typeof ma[k], k).toBe('function')
  for (const k of Object.keys(ma)) expect(mb[k], `method ${k}`).toBe(ma[k])
}

describe('streaming parsers share their methods across instances', () => {
  it('EDIFACT reader, lexer, assembler and message validator', () => {
    expectShared(createEdifactReader(), createEdifactReader(), ['push', 'end', 'segment', 'body'])
    const sink = { una() {}, segment: () => 0, body: () => false }
    const lx = [createLexer(sink), createLexer(sink)]
    expectShared(lx[0], lx[1], ['push', 'end', 'run'])
    for (const l of lx) l.end()
    const host = {
      delimiters: () => ({ element: '+', component: ':', segment: "'", release: '?', repetition: '' }),
      separators: () => ({ element: 43, component: 58, release: 63, repetition: -1, chars: { element: '+', component: ':', release: '?', repetition: '' } }),
    }
    const asmOpts = { retain: false, validate: true, host }
    expectShared(createAssembler({}, asmOpts), createAssembler({}, asmOpts), ['segment', 'raw', 'note', 'end'])
    const def = findMessageDef('DESADV', 'D96A')!.def
    expectShared(createMessageValidator(def), createMessageValidator(def), ['step', 'stepRaw', 'finish', 'reset'])
  })

  it('X12 reader and lexer', () => {
    expectShared(createX12Reader({}), createX12Reader({}), ['push', 'end', 'segment', 'closeTx'])
    const sink = { interchange() {}, isa() {}, segment: () => false, view() {}, fileIssue() {} }
    expectShared(createX12Lexer(sink), createX12Lexer(sink), ['push', 'end', 'process'])
  })
})
