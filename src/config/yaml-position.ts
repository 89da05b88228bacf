/**
 * Where a configuration error is in its YAML file: the line and column of the node a key path
 * names (`matching.qty.overPct`, `documents.3`), so `partners validate` and start-up print
 * `file:line:column: path: message` like a compiler. Errors about a key (unknown key) point at
 * the key; the others at the value. A path that does not exist in the file (a missing key)
 * points at the deepest node that does.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml'

export interface Position {
  /** 1-based. */
  line: number
  /** 1-based. */
  col: number
}

/** A parsed file that can answer positions (parse once, ask many times). */
export interface Located {
  doc: Document.Parsed
  lines: LineCounter
}

export function locateText(text: string): Located {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  return { doc, lines }
}

/** `a.b.0.c` → ['a', 'b', 0, 'c']: numeric segments index sequences. */
export function splitPath(path: string): (string | number)[] {
  if (!path) return []
  return path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))
}

/** Position of the node at `path` (of its key when `at: 'key'`), or of its deepest existing ancestor. */
export function positionOf(f: Located, path: (string | number)[], at: 'key' | 'value' = 'value'): Position {
  let node: unknown = f.doc.contents
  let keyNode: Node | undefined
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg))
      if (!pair) break
      keyNode = pair.key as Node
      node = pair.value
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      keyNode = undefined
      node = node.items[seg]
    } else break
  }
  const target = (at === 'key' && keyNode) || (node as Node | null) || keyNode
  const offset = target?.range?.[0] ?? 0
  return f.lines.linePos(offset)
}

/** Position of a byte offset (YAML parser errors carry offsets). */
export function positionAt(f: Located, offset: number): Position {
  return f.lines.linePos(offset)
}
