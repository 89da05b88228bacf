import { describe, expect, it } from 'vitest'
import { createEdifactReader } from '../../src/edi/edifact/index.ts'
import { createLexer } from '../../src/edi/edifact/lexer.ts'
import { createAssembler } from '../../src/edi/edifact/assemble.ts'
import { createMessageValidator } from '../../src/edi/edifact/validate.ts'
import { findMessageDef } from '../../src/edi/dictionary/edifact-index.ts'

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
    const asmOpts = { retain: false, validate: true, delimiters: () => ({ element: '+', component: ':', segment: "'", release: '?', repetition: '' }), sep: () => ({ element: 43, component: 58, release: 63, repetition: -1, chars: { element: '+', component: ':', release: '?', repetition: '' } }) }
    expectShared(createAssembler({}, asmOpts), createAssembler({}, asmOpts), ['segment', 'raw', 'note', 'end'])
    const def = findMessageDef('DESADV', 'D96A')!.def
    expectShared(createMessageValidator(def), createMessageValidator(def), ['step', 'stepRaw', 'finish', 'reset'])
  })
})
