/**
 * Which dictionary validates a message: the one for its UNH type and version, else the nearest
 * release of the same type (a warning says so), else none (envelope checks only). One validator
 * per message definition for the reader's lifetime, reset per message (messages never overlap).
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { Position } from '../types.ts'
import { findMessageDef, releaseDistance, type DictionaryMatch } from '../dictionary/edifact-index.ts'
import type { MessageDef } from '../dictionary/edifact-dsl.ts'
import { createMessageValidator, type MessageValidator } from './validate.ts'
import type { UnhHeader } from './envelope.ts'

/** No dictionary issues (shared, never written to). */
export const NO_ISSUES: EdiIssue[] = []

export class MessageValidators {
  /** Issues about the choice for the last message: substituted or unavailable. */
  declare dictIssues: EdiIssue[]
  /** The last message's dictionary is more than two release-years from its own: findings become warnings. */
  declare far: boolean
  /** The last message's dictionary is another release's: its code lists may lack newer codes. */
  declare substituted: boolean
  declare readonly byDef: Map<MessageDef, MessageValidator>
  // The last lookup: a stream is usually one message type and version throughout.
  declare lastType: string
  declare lastVersion: string
  declare lastFound: DictionaryMatch | undefined
  declare lastDef: MessageDef | undefined
  declare lastValidator: MessageValidator | undefined

  constructor() {
    this.dictIssues = NO_ISSUES
    this.far = false
    this.substituted = false
    this.byDef = new Map()
    this.lastType = ''
    this.lastVersion = ''
    this.lastFound = undefined
    this.lastDef = undefined
    this.lastValidator = undefined
  }

  /** The validator for a message with header `h` at `pos` (reset, ready), and dictIssues/far for it. */
  for(h: UnhHeader, pos: Position): MessageValidator | undefined {
    this.dictIssues = NO_ISSUES
    this.far = false
    this.substituted = false
    if (h.type !== this.lastType || h.version !== this.lastVersion) {
      this.lastType = h.type
      this.lastVersion = h.version
      this.lastFound = h.type ? findMessageDef(h.type, h.version) : undefined
    }
    const found = this.lastFound
    if (!found) {
      this.dictIssues = [issue('dictionary_unavailable', 'transaction', `no dictionary for ${h.type} ${h.version}; envelope checked only`, { segment: 'UNH', position: pos, severity: 'warning', value: `${h.type}:${h.version}` })]
      return undefined
    }
    if (found.substituted) {
      this.substituted = true
      this.dictIssues = [issue('dictionary_substituted', 'transaction', `no dictionary for ${h.type} ${h.version}; validated against ${found.def.version}`, { segment: 'UNH', position: pos, severity: 'warning', value: found.def.version })]
      // A dictionary more than two release-years away may disagree with the sender's own
      // directory: its findings are reported as warnings only (documented choice).
      this.far = releaseDistance(h.version, found.def.version) > 2
    }
    let validator = found.def === this.lastDef ? this.lastValidator : this.byDef.get(found.def)
    if (validator === undefined) this.byDef.set(found.def, (validator = createMessageValidator(found.def)))
    else validator.reset()
    this.lastDef = found.def
    this.lastValidator = validator
    return validator
  }
}
