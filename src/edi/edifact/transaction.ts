/**
 * The transaction object a streaming EDIFACT reader hands out: its segments are built from the
 * message's SegmentStore only when someone reads them.
 */
import type { ParsedTransaction, Segment } from '../types.ts'
import type { EdiIssue } from '../issues.ts'
import type { SegmentStore } from './store.ts'
import type { UnhHeader } from './envelope.ts'

const NO_SEGMENTS: Segment[] = []
let SEGMENTS: PropertyDescriptor

/**
 * A streamed message whose `segments` is an own enumerable accessor (spreading, Object.keys and
 * JSON.stringify see an ordinary array) that builds the array on first read; the store sits in
 * a private field, invisible to all of those. Own properties come in the order of a plain
 * transaction (JSON key order). A class rather than a plain object: every instance shares one
 * hidden class, and the store needs no second defineProperty (measured: less than half the
 * cost per message).
 */
export class LazyTransaction {
  declare type: string
  declare controlNumber: string
  declare version: string
  declare status: ParsedTransaction['status']
  declare issues: EdiIssue[]
  declare segments: Segment[]
  declare span: { start: number; end: number }
  #store: SegmentStore | undefined

  constructor(h: UnhHeader, status: ParsedTransaction['status'], issues: EdiIssue[], store: SegmentStore, span: { start: number; end: number }) {
    this.type = h.type
    this.controlNumber = h.ref
    this.version = h.version
    this.status = status
    this.issues = issues
    this.#store = store
    Object.defineProperty(this, 'segments', SEGMENTS)
    this.span = span
  }

  static {
    // One shared getter/setter pair: no closure per message.
    SEGMENTS = {
      enumerable: true,
      configurable: true,
      get(this: LazyTransaction): Segment[] {
        const store = this.#store
        if (store === undefined) return NO_SEGMENTS
        this.#store = undefined
        const v = store.toArray()
        Object.defineProperty(this, 'segments', { value: v, writable: true, enumerable: true, configurable: true })
        return v
      },
      set(this: LazyTransaction, v: Segment[]) {
        this.#store = undefined
        Object.defineProperty(this, 'segments', { value: v, writable: true, enumerable: true, configurable: true })
      },
    }
  }
}
