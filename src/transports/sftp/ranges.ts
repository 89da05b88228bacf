/**
 * The byte ranges written to one upload, kept merged, so CLOSE can tell a complete file from one
 * with holes. Sequential writes (every client we know) keep a single range and cost O(1); writes
 * a pipelining client sends out of order add a few ranges that merge as the gaps fill.
 *
 * @example
 * const w = new WrittenRanges(0)
 * w.add(100, 200); w.add(0, 100)
 * w.firstHole() // undefined: bytes 0-199 are all written
 */
export class WrittenRanges {
  /** Sorted, disjoint, non-touching [start, end) pairs. */
  private ranges: [number, number][]

  /** `existing`: bytes already in the file when it was opened (a resumed upload). */
  constructor(existing: number) {
    this.ranges = existing > 0 ? [[0, existing]] : []
  }

  /** One past the last byte written. */
  get end(): number {
    return this.ranges.at(-1)?.[1] ?? 0
  }

  /** Separate ranges held; more than one means there are holes so far. */
  get count(): number {
    return this.ranges.length
  }

  add(start: number, end: number): void {
    if (end <= start) return
    const last = this.ranges.at(-1)
    if (!last || start > last[1]) {
      this.ranges.push([start, end])
      return
    }
    if (start >= last[0]) {
      last[1] = Math.max(last[1], end)
      return
    }
    const out: [number, number][] = []
    let s = start
    let e = end
    let placed = false
    for (const [a, b] of this.ranges) {
      if (b < s) out.push([a, b])
      else if (a > e) {
        if (!placed) out.push([s, e])
        placed = true
        out.push([a, b])
      } else {
        s = Math.min(a, s)
        e = Math.max(b, e)
      }
    }
    if (!placed) out.push([s, e])
    this.ranges = out
  }

  /** The first range of bytes before `end` never written, as [start, end), if any. */
  firstHole(): [number, number] | undefined {
    const [first, second] = this.ranges
    if (!first) return undefined
    if (first[0] > 0) return [0, first[0]]
    return second ? [first[1], second[0]] : undefined
  }
}
