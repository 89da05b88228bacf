/**
 * `edi-gateway parse <file> [--json | --summary]`: what we read, and the 997/999/CONTRL we would
 * send, without storing anything. Exit 0 when everything is accepted, 1 when anything has
 * issues, 2 when the file is not readable as EDI.
 */
import { openSync, readSync, closeSync } from 'node:fs'
import { ENGINES } from '../app/engines.ts'
import type { PartnerProfile } from '../config/partner.ts'
import { PartnerProfile as ProfileSchema } from '../config/partner.ts'
import { loadRegistry } from '../config/registry.ts'
import { summarizeEdifact } from '../edi/edifact/index.ts'
import { sniff } from '../edi/sniff.ts'
import type { EdiIssue } from '../edi/issues.ts'
import { summarizeX12 } from '../edi/x12/summary.ts'
import type { ParseResult, ParsedInterchange } from '../edi/types.ts'
import { UserError } from '../lib/errors.ts'
import type { Args } from '../cli.ts'
import { localAllocator } from '../pipeline/deps.ts'
import { readInput } from './io.ts'

const issueOut = (i: EdiIssue) => ({ code: i.code, segment: i.segment ?? null, position: i.position ?? null, message: i.message, severity: i.severity })

/** Acks for a file from a partner we may not know: their profile if known, else standard defaults. */
async function acksFor(result: ParseResult, cwd: string): Promise<string[]> {
  const { registry } = loadRegistry(cwd)
  const engine = ENGINES[result.standard]
  const out: string[] = []
  const allocate = localAllocator()
  for (const ic of result.interchanges) {
    const known =
      result.standard === 'x12' ? registry.byX12(ic.sender.qualifier, ic.sender.id) : registry.byEdifact(ic.sender.qualifier, ic.sender.id)
    const profile: PartnerProfile =
      known ?? ProfileSchema.parse({ id: 'unknown', name: 'unknown', status: 'testing', x12: {}, edifact: { contrl: 'always' } })
    const forced: PartnerProfile =
      result.standard === 'edifact' ? { ...profile, edifact: { ...profile.edifact!, contrl: 'always' } } : profile
    for (const ack of await engine.acks(result, ic, forced, allocate)) out.push(ack.text)
  }
  return out
}

function interchangeOut(ic: ParsedInterchange) {
  return {
    sender: ic.sender,
    receiver: ic.receiver,
    controlNumber: ic.controlNumber,
    test: ic.test,
    issues: ic.issues.map(issueOut),
    groups: ic.groups.map((g) => ({
      type: g.type,
      controlNumber: g.controlNumber,
      version: g.version,
      issues: g.issues.map(issueOut),
      transactions: g.transactions.map((t) => ({ type: t.type, controlNumber: t.controlNumber, status: t.status, issues: t.issues.map(issueOut) })),
    })),
  }
}

function* fileChunks(file: string, size = 4 << 20): Generator<Buffer> {
  const fd = openSync(file, 'r')
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(size)
      const n = readSync(fd, buf, 0, size, null)
      if (n === 0) return
      yield buf.subarray(0, n)
    }
  } finally {
    closeSync(fd)
  }
}

export async function parseCommand(a: Args): Promise<number> {
  const file = a.positional[0]
  if (a.flags.summary) {
    const head = readInput(file).subarray(0, 0) // existence/readability check only
    void head
    const first = fileChunks(file!).next().value ?? Buffer.alloc(0)
    const kind = sniff(first)
    if (kind !== 'x12' && kind !== 'edifact') {
      console.error(`edi-gateway: ${file} is not X12 or EDIFACT (${kind})`)
      return 2
    }
    const s = kind === 'x12' ? summarizeX12(fileChunks(file!)) : summarizeEdifact(readInput(file))
    if (a.flags.json) console.log(JSON.stringify(s))
    else {
      console.log(`${s.standard}: ${s.bytes} bytes, ${s.interchanges} interchange(s), ${s.groups} group(s), ${s.transactions} transaction(s), ${s.segments} segments, ${s.issues} issue(s)`)
      for (const [t, n] of Object.entries(s.byType)) console.log(`  ${t}: ${n}`)
    }
    return s.unreadable ? 2 : s.issues > 0 ? 1 : 0
  }
  const bytes = readInput(file)
  const kind = sniff(bytes)
  if (kind !== 'x12' && kind !== 'edifact') {
    const out = { standard: null, interchanges: [], issues: [{ code: 'envelope_unreadable', segment: null, position: null, message: kind === 'empty' ? 'the file is empty' : 'not X12 (ISA) or EDIFACT (UNA/UNB)' }], acks: [] }
    if (a.flags.json) console.log(JSON.stringify(out, null, 2))
    else console.error(`edi-gateway: ${file} is not readable as EDI: ${out.issues[0].message}`)
    return 2
  }
  if (a.flags.json && a.flags.summary) throw new UserError('use either --json or --summary')
  const result = ENGINES[kind].parse(bytes)
  const acks = result.unreadable ? [] : await acksFor(result, process.env.CONFIG_DIR ?? process.cwd())
  const allIssues = [
    ...result.issues,
    ...result.interchanges.flatMap((ic) => [...ic.issues, ...ic.groups.flatMap((g) => [...g.issues, ...g.transactions.flatMap((t) => t.issues)])]),
  ]
  const out = { standard: result.standard, interchanges: result.interchanges.map(interchangeOut), issues: result.issues.map(issueOut), acks }
  if (a.flags.json) console.log(JSON.stringify(out, null, 2))
  else {
    for (const ic of out.interchanges) {
      console.log(`interchange ${ic.controlNumber} ${ic.sender.qualifier ?? ''}/${ic.sender.id} → ${ic.receiver.qualifier ?? ''}/${ic.receiver.id}${ic.test ? ' (test)' : ''}`)
      for (const i of ic.issues) console.log(`  ! ${i.code}: ${i.message}`)
      for (const g of ic.groups) {
        console.log(`  group ${g.type} ${g.controlNumber} ${g.version}`)
        for (const i of g.issues) console.log(`    ! ${i.code}: ${i.message}`)
        for (const t of g.transactions) {
          console.log(`    ${t.type} ${t.controlNumber}: ${t.status}`)
          for (const i of t.issues) console.log(`      ! ${i.code} ${i.segment ?? ''}${i.position ? ` @${i.position.index}` : ''}: ${i.message}`)
        }
      }
    }
    for (const i of out.issues) console.log(`! ${i.code}: ${i.message}`)
    for (const ack of acks) console.log(`\nack we would send:\n${ack}`)
  }
  if (result.unreadable) return 2
  return allIssues.some((i) => i.severity === 'error' || i.severity === 'warning') ? 1 : 0
}
