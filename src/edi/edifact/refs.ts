/**
 * The message references (UNH 0062) of one interchange, for the uniqueness check. An
 * open-addressing table of 32-bit string hashes with the strings beside them: one hash and a
 * probe or two per message, no per-entry objects (a Set of strings cost the streaming reader
 * several percent on files of tens of thousands of messages).
 */
export class RefSet {
  declare hashes: Int32Array
  declare strs: string[]
  declare size: number

  constructor() {
    this.hashes = new Int32Array(64)
    this.strs = new Array<string>(64).fill('')
    this.size = 0
  }

  clear(): void {
    if (this.size === 0) return
    this.hashes = new Int32Array(64)
    this.strs = new Array<string>(64).fill('')
    this.size = 0
  }

  /** Adds `s`; false when it was there already. */
  add(s: string): boolean {
    let h = 0x811c9dc5
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
    h |= 1 // 0 marks an empty slot
    const mask = this.hashes.length - 1
    let i = h & mask
    for (;;) {
      const x = this.hashes[i]
      if (x === 0) break
      if (x === h && this.strs[i] === s) return false
      i = (i + 1) & mask
    }
    this.hashes[i] = h
    this.strs[i] = s
    if (++this.size * 2 > this.hashes.length) this.grow()
    return true
  }

  grow(): void {
    const oldH = this.hashes
    const oldS = this.strs
    const n = oldH.length * 2
    const hashes = new Int32Array(n)
    const strs = new Array<string>(n).fill('')
    const mask = n - 1
    for (let k = 0; k < oldH.length; k++) {
      const h = oldH[k]
      if (h === 0) continue
      let i = h & mask
      while (hashes[i] !== 0) i = (i + 1) & mask
      hashes[i] = h
      strs[i] = oldS[k]
    }
    this.hashes = hashes
    this.strs = strs
  }
}
