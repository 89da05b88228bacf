/**
 * What an uploaded file is, decided from its name and its first bytes, before anything is stored.
 * Clients commonly upload under a temporary name and rename when done (WinSCP `.filepart`,
 * FileZilla/curl `.part`, `.tmp`, editors `~`, dot-files); such a file is only taken in when it is
 * renamed to a final name, so the one upload counts once.
 */
const TEMP_NAME = /(\.(tmp|temp|part|partial|filepart|upload|uploading|crdownload|swp)|~)$/i

export function isTempName(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1)
  return base.startsWith('.') || base.startsWith('~') || TEMP_NAME.test(base)
}

/** Our own error notes next to a rejected upload. */
export const ERROR_SUFFIX = '.error.txt'
export const isErrorNote = (name: string): boolean => name.endsWith(ERROR_SUFFIX)

export type Sniffed =
  | { ok: true; standard: 'x12' | 'edifact' | 'json' }
  | { ok: false; code: 'empty' | 'not_edi'; detail: string }

/**
 * Looks at the first bytes only. X12 interchanges start with ISA (X12.5), EDIFACT with the
 * optional UNA service string advice or UNB (ISO 9735-1 §7), our JSON API documents with `{`
 * (or `[` for a batch). A UTF-8 BOM and leading whitespace are tolerated, as partners send them.
 */
export function sniffEdi(head: Uint8Array, size: number): Sniffed {
  if (size === 0) return { ok: false, code: 'empty', detail: 'the file is empty (0 bytes)' }
  let i = 0
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3
  while (
    i < head.length &&
    (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)
  )
    i++
  const start = Buffer.from(head.subarray(i, i + 3)).toString('latin1')
  if (start === 'ISA') return { ok: true, standard: 'x12' }
  if (start === 'UNA' || start === 'UNB') return { ok: true, standard: 'edifact' }
  if (start[0] === '{' || start[0] === '[') return { ok: true, standard: 'json' }
  if (i >= head.length)
    return { ok: false, code: 'empty', detail: 'the file holds only whitespace' }
  const shown = JSON.stringify(Buffer.from(head.subarray(i, i + 16)).toString('latin1'))
  return {
    ok: false,
    code: 'not_edi',
    detail: `not an EDI interchange: expected ISA (X12), UNA/UNB (EDIFACT) or JSON, found ${shown}`,
  }
}

/**
 * Shell-style glob for poll patterns (`*.edi`, `ORD_??.x12`, `*.{edi,x12}`): `*` and `?` never
 * cross `/`, and the match is on the whole file name.
 */
export function globToRegExp(glob: string): RegExp {
  let re = ''
  let inBraces = false
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*'
    else if (ch === '?') re += '[^/]'
    else if (ch === '{') {
      inBraces = true
      re += '(?:'
    } else if (ch === '}' && inBraces) {
      inBraces = false
      re += ')'
    } else if (ch === ',' && inBraces) re += '|'
    else re += ch.replace(/[.+^$()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}
