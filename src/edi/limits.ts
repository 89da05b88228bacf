/**
 * Issue caps shared by the X12 and EDIFACT readers (issue 10: "memory stays bounded" on any input,
 * 500 MB of garbage included): at most MAX_ISSUES are kept per level (message or transaction set,
 * group, interchange, file); the rest are counted, exactly and by code, and stand behind one
 * `issues_truncated` summary issue. Real files are far below the cap and come out unchanged.
 */
import { issue, type EdiIssue, type EdiIssueCode, type IssueLevel } from './issues.ts'

/** Issues kept per level. */
export const MAX_ISSUES = 200

/** Issues past the cap: counted, not kept. */
export class Overflow {
  declare n: number
  declare errors: number
  declare codes: Map<EdiIssueCode, number>

  constructor() {
    this.n = 0
    this.errors = 0
    this.codes = new Map()
  }

  add(i: EdiIssue): void {
    this.n++
    if (i.severity === 'error') this.errors++
    this.codes.set(i.code, (this.codes.get(i.code) ?? 0) + 1)
  }

  /** Another overflow's counts; `warningsOnly` when its issues were downgraded to warnings. */
  merge(o: Overflow, warningsOnly = false): void {
    if (o.n === 0) return
    this.n += o.n
    if (!warningsOnly) this.errors += o.errors
    for (const [c, k] of o.codes) this.codes.set(c, (this.codes.get(c) ?? 0) + k)
  }

  reset(): void {
    if (this.n === 0) return
    this.n = 0
    this.errors = 0
    this.codes.clear()
  }
}

/** Adds `i` to `list` while it holds fewer than MAX_ISSUES, otherwise only counts it. */
export function keepIssue(list: EdiIssue[], i: EdiIssue, over: Overflow): void {
  if (list.length < MAX_ISSUES) list.push(i)
  else over.add(i)
}

/** Moves everything past the first MAX_ISSUES of `list` into `over` (for lists others fill). */
export function trimIssues(list: EdiIssue[], over: Overflow): void {
  if (list.length <= MAX_ISSUES) return
  for (let k = MAX_ISSUES; k < list.length; k++) over.add(list[k])
  list.length = MAX_ISSUES
}

/**
 * The one issue standing for the counted ones, or undefined when none were left out. It is an
 * error when any hidden issue was one, so a status computed from the kept list stays right.
 */
export function overflowIssue(level: IssueLevel, over: Overflow): EdiIssue | undefined {
  if (over.n === 0) return undefined
  const byCode = [...over.codes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c, k]) => `${c} ${k}`)
  return issue('issues_truncated', level, `${over.n} more issues not shown (${byCode.join(', ')})`, {
    severity: over.errors > 0 ? 'error' : 'warning',
    value: String(over.n),
  })
}

/**
 * A copy of the issue whose strings are clipped and flat: a garbage "tag" or value can be
 * megabytes long, and a V8 substring (13+ chars) keeps its whole parent alive, so a kept issue
 * could pin the decoded segment it came from. Strings of 13+ chars are rebuilt (join), which
 * owns its characters. Real issues are far below the clip lengths and come out equal.
 */
export function compactIssue(i: EdiIssue): EdiIssue {
  const out: EdiIssue = { ...i, message: owned(i.message, 512) }
  if (i.segment !== undefined) out.segment = owned(i.segment, 12)
  if (i.value !== undefined) out.value = owned(i.value, 64)
  if (i.loop !== undefined) out.loop = owned(i.loop, 32)
  return out
}

function owned(s: string, max: number): string {
  const t = s.length > max ? `${s.slice(0, max - 1)}…` : s
  // Strings under 13 characters are never slices or cons strings in V8: already their own.
  return t.length < 13 ? t : t.split('').join('')
}
