/**
 * The lexer's segment scan (lexer.ts scanSegment) and the clean-segment element check
 * (validate-raw.ts elementsClean) fused into one small WebAssembly function: one pass over the
 * bytes finds the terminator and the separators and checks each value against the element
 * program of the segment's tag as the value ends. About twice as fast as the JavaScript pair
 * (no bounds check per byte, values checked while at hand). The module is written out here as
 * bytes (MVP WebAssembly, a few hundred instructions) so nothing has to be built or fetched;
 * scanSegment() and elementsClean() stay the reference and the fallback where WebAssembly is
 * missing, for segments longer than the window and for the first segment of a message type.
 *
 * Memory (one instance per lexer, fixed size, never grown):
 *   [0, 256)          byte classes (lexer.ts classTable)
 *   RES               results of the last scan: separator count, "odd" flag, clean flag, tag key
 *   [A36, A36 + 256)  tag character values (edifact-dsl.ts tagKey), 255 = not a tag character
 *   SEPS, RELS        separator positions and release counts (Int32, as lexer.seps/rels)
 *   [PROGS, DATA)     element programs and tag → program hash tables, copied in on first use
 *   [DATA, end)       a window of the lexer's buffer, copied in by the lexer
 * Positions in and out are positions in the lexer's buffer: the window holds buffer position q
 * at address base + q.
 */

export const MAX_SEPS = 1024

const RES = 256
const A36 = 512
const SEPS = 1024
const RELS = SEPS + 4 * MAX_SEPS
const PROGS = 12288
const DATA = 65536
const PAGES = 5
/** Hash table of one message definition: SLOTS entries of (tag key + 1, program address). */
const SLOTS = 128

export interface WasmScanner {
  /**
   * Scans the segment starting at `p` (buffer position) up to `len` (exclusive), the window
   * copied so that buffer position q is at address `base` + q; returns what scanSegment returns.
   * With `table` (an address from table(), 0 for none) it also checks the values as
   * elementsClean() does, with `component` the component separator: res[2] = 1 when clean.
   */
  scan(p: number, len: number, base: number, table: number, component: number): number
  /** The whole memory (the class table is at 0, the window at `data`). */
  u8: Uint8Array
  seps: Int32Array
  rels: Int32Array
  /**
   * res[0]: separator count, res[1]: 1 when the segment needs the slow path ("odd"), res[2]:
   * clean, res[3]: the tag key (edifact-dsl.ts tagKey) when the check looked the tag up (-1: not
   * a dictionary tag), -2 when it did not.
   */
  res: Int32Array
  /** Address of the window and its size in bytes. */
  data: number
  window: number
  /**
   * Copies element programs into the memory with a table from tag key (edifact-dsl.ts tagKey)
   * to program: the table's address for scan(), or 0 when there is no room left.
   */
  table(programs: ReadonlyMap<number, Int32Array>): number
  /** Forgets all tables (their addresses become invalid). */
  reset(): void
}

// --- a tiny assembler ------------------------------------------------------------------------
const uleb = (n: number): number[] => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}
const sleb = (n: number): number[] => {
  const out: number[] = []
  for (;;) {
    const b = n & 0x7f
    n >>= 7
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes]
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()]

const I32 = 0x7f
const VOID = 0x40
const BLOCK = [0x02, VOID]
const LOOP = [0x03, VOID]
const IF = [0x04, VOID]
const ELSE = [0x05]
const END = [0x0b]
const br = (depth: number) => [0x0c, depth]
const brIf = (depth: number) => [0x0d, depth]
const call = (f: number) => [0x10, f]
const RETURN = [0x0f]
const get = (x: number) => [0x20, x]
const set = (x: number) => [0x21, x]
const tee = (x: number) => [0x22, x]
const konst = (v: number) => [0x41, ...sleb(v)]
const load32 = (offset = 0) => [0x28, 2, ...uleb(offset)]
const load8 = (offset = 0) => [0x2d, 0, ...uleb(offset)]
const store32 = (offset: number) => [0x36, 2, ...uleb(offset)]
const EQZ = [0x45]
const EQ = [0x46]
const NE = [0x47]
const LT_S = [0x48]
const LT_U = [0x49]
const GT_S = [0x4a]
const GT_U = [0x4b]
const LE_S = [0x4c]
const LE_U = [0x4d]
const GE_S = [0x4e]
const GE_U = [0x4f]
const ADD = [0x6a]
const SUB = [0x6b]
const MUL = [0x6c]
const AND = [0x71]
const OR = [0x72]
const SHL = [0x74]
const SHR_U = [0x76]
const inc = (x: number) => [...get(x), ...konst(1), ...ADD, ...set(x)]
const zero = (x: number) => [...konst(0), ...set(x)]
/** `return 0` */
const FAIL = [...konst(0), ...RETURN]

// Byte classes (same values as lexer.ts).
const K_TERM = 1
const K_SEP = 2
const K_REL = 3

// Element programs (validate-raw.ts compileElements), in words: [0] element count, [1] last
// mandatory element, then per element e at word 2 + 3e: first component word, info (component
// count | composite | mandatory), mandatory-component mask; then one word per component.
const I_COMPOSITE = 1 << 16
const I_REQ = 1 << 17
const W_NUMERIC = 1 << 24
const W_SLOW = 1 << 25

const F_SCAN = 0
const F_CLEAN = 1
const F_LOOKUP = 2

// --- clean(prog, n, end, comp, base): validate-raw.ts elementsClean on seps/rels --------------
// The current element's record (R), info, component count (CNT: 0 past the last element) and
// first component word (CB) are loaded once per element, not per value; closeClean is inline.
const CLEAN: number[] = (() => {
  const [PROG, N, SEND, COMP, BASE] = [0, 1, 2, 3, 4]
  const [NEL, EI, CI, MASK, K, VS, VE, NREL, R, W, MAX, MIN, I, C, DIG, INTD, CNT, CB, INFO, MAND] = [
    5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
  ]
  /** Loads the element EI: R, INFO, CNT, CB (CNT = 0 when there is no such element). */
  const element = [
    ...zero(CNT),
    ...get(EI), ...get(NEL), ...LT_S, ...IF,
    ...get(PROG), ...konst(8), ...ADD, ...get(EI), ...konst(12), ...MUL, ...ADD, ...tee(R),
    ...load32(4), ...tee(INFO), ...konst(0xffff), ...AND, ...set(CNT),
    ...get(PROG), ...get(R), ...load32(0), ...konst(2), ...SHL, ...ADD, ...set(CB),
    ...END,
  ]
  /** closeClean(prog, ei, ci + 1, mask) inline: `return 0` when closeElement() would report. */
  const close = [
    ...get(EI), ...get(NEL), ...LT_S, ...IF,
    ...get(MASK), ...EQZ, ...IF,
    ...get(INFO), ...konst(I_REQ), ...AND, ...IF, ...FAIL, ...END,
    ...ELSE,
    ...get(INFO), ...konst(I_COMPOSITE), ...AND, ...EQZ, ...IF,
    ...get(CI), ...IF, ...FAIL, ...END, // a simple element with more than one component
    ...ELSE,
    ...get(R), ...load32(8), ...set(MAND),
    ...get(CI), ...konst(1), ...ADD, ...get(CNT), ...LE_S,
    ...get(MAND), ...konst(0), ...GE_S, ...AND,
    ...get(MASK), ...get(MAND), ...AND, ...get(MAND), ...EQ, ...AND,
    ...EQZ, ...IF, ...FAIL, ...END,
    ...END,
    ...END,
    ...END,
  ]
  return [
    ...vec([[20, I32]]),
    ...get(PROG), ...load32(0), ...set(NEL),
    ...get(N), ...konst(0), ...GT_S, ...IF,
    ...element,
    ...BLOCK, ...LOOP, // $out, $k
    ...get(K), ...get(N), ...GE_S, ...brIf(1),
    ...BLOCK, // $cont: the value is done with
    ...get(K), ...konst(2), ...SHL, ...load32(SEPS), ...konst(1), ...ADD, ...set(VS),
    ...get(K), ...IF,
    // The separator before the value: a component one moves to the next component, an
    // element one closes the element.
    ...get(BASE), ...get(VS), ...ADD, ...konst(1), ...SUB, ...load8(), ...get(COMP), ...EQ, ...IF,
    ...inc(CI),
    ...ELSE,
    ...close,
    ...inc(EI), ...zero(CI), ...zero(MASK),
    ...element,
    ...END,
    ...END,
    // ve = k + 1 < n ? seps[k + 1] : end
    ...get(K), ...konst(1), ...ADD, ...get(N), ...LT_S, ...IF,
    ...get(K), ...konst(2), ...SHL, ...load32(SEPS + 4), ...set(VE),
    ...ELSE,
    ...get(SEND), ...set(VE),
    ...END,
    ...get(K), ...konst(2), ...SHL, ...load32(RELS + 4), ...set(NREL),
    ...get(VE), ...get(VS), ...SUB, ...get(NREL), ...SUB, ...konst(0), ...LE_S, ...brIf(0),
    ...get(CI), ...konst(31), ...LT_S, ...IF,
    ...get(MASK), ...konst(1), ...get(CI), ...SHL, ...OR, ...set(MASK),
    ...END,
    ...get(CI), ...get(CNT), ...GE_S, ...brIf(0),
    ...get(CB), ...get(CI), ...konst(2), ...SHL, ...ADD, ...load32(0), ...set(W),
    ...get(W), ...konst(W_SLOW), ...AND, ...IF, ...FAIL, ...END,
    ...get(W), ...konst(0xfff), ...AND, ...set(MAX),
    ...get(W), ...konst(12), ...SHR_U, ...konst(0xfff), ...AND, ...set(MIN),
    ...get(W), ...konst(W_NUMERIC), ...AND, ...IF,
    // Numeric shape: digits, at most one decimal mark, a leading minus; no release character.
    ...get(NREL), ...IF, ...FAIL, ...END,
    ...zero(DIG), ...konst(-1), ...set(INTD), ...get(VS), ...set(I),
    ...BLOCK, ...LOOP, // $nd, $ni
    ...get(I), ...get(VE), ...GE_S, ...brIf(1),
    ...get(BASE), ...get(I), ...ADD, ...load8(), ...set(C),
    ...get(C), ...konst(0x30), ...SUB, ...konst(9), ...LE_U, ...IF,
    ...inc(DIG),
    ...ELSE,
    ...get(C), ...konst(0x2e), ...EQ, ...get(C), ...konst(0x2c), ...EQ, ...OR, ...get(INTD), ...konst(0), ...LT_S, ...AND, ...IF,
    ...get(DIG), ...set(INTD),
    ...ELSE,
    ...get(C), ...konst(0x2d), ...NE, ...get(I), ...get(VS), ...NE, ...OR, ...IF, ...FAIL, ...END,
    ...END,
    ...END,
    ...inc(I),
    ...br(0),
    ...END, ...END,
    ...get(DIG), ...EQZ, ...get(INTD), ...EQZ, ...OR, ...get(DIG), ...get(MAX), ...GT_S, ...OR, ...get(DIG), ...get(MIN), ...LT_S, ...OR, ...IF, ...FAIL, ...END,
    ...ELSE,
    // Length: characters, a released one counting once.
    ...get(VE), ...get(VS), ...SUB, ...get(NREL), ...SUB, ...tee(I), ...get(MAX), ...GT_S, ...get(I), ...get(MIN), ...LT_S, ...OR, ...IF, ...FAIL, ...END,
    ...END,
    ...END, // $cont
    ...inc(K),
    ...br(0),
    ...END, ...END,
    ...close,
    ...inc(EI),
    ...END,
    ...get(EI), ...get(NEL), ...LE_S, ...get(EI), ...get(PROG), ...load32(4), ...GT_S, ...AND,
    ...END,
  ]
})()

// --- lookup(table, at, n): program of the tag of n bytes at address `at`, 0 when none --------
const LOOKUP: number[] = (() => {
  const [TABLE, AT, N, KEY, SLOT, E] = [0, 1, 2, 3, 4, 5]
  const digit = (k: number) => [...get(AT), ...load8(k), ...load8(A36)]
  return [
    ...vec([[3, I32]]),
    ...konst(0), ...konst(-1), ...store32(RES + 12), // the tag key, -1: not a dictionary tag
    ...get(N), ...konst(3), ...NE, ...IF, ...FAIL, ...END,
    ...digit(0), ...tee(E), ...konst(255), ...EQ, ...IF, ...FAIL, ...END,
    ...get(E), ...konst(36), ...MUL, ...set(KEY),
    ...digit(1), ...tee(E), ...konst(255), ...EQ, ...IF, ...FAIL, ...END,
    ...get(KEY), ...get(E), ...ADD, ...konst(36), ...MUL, ...set(KEY),
    ...digit(2), ...tee(E), ...konst(255), ...EQ, ...IF, ...FAIL, ...END,
    ...get(KEY), ...get(E), ...ADD, ...set(KEY),
    ...konst(0), ...get(KEY), ...store32(RES + 12),
    ...get(KEY), ...konst(SLOTS - 1), ...AND, ...set(SLOT),
    ...LOOP,
    ...get(TABLE), ...get(SLOT), ...konst(3), ...SHL, ...ADD, ...load32(0), ...tee(E),
    ...EQZ, ...IF, ...FAIL, ...END,
    ...get(E), ...get(KEY), ...konst(1), ...ADD, ...EQ, ...IF,
    ...get(TABLE), ...get(SLOT), ...konst(3), ...SHL, ...ADD, ...load32(4), ...RETURN,
    ...END,
    ...get(SLOT), ...konst(1), ...ADD, ...konst(SLOTS - 1), ...AND, ...set(SLOT),
    ...br(0),
    ...END,
    ...konst(0),
    ...END,
  ]
})()

// --- scan(p, len, base, table, comp) → i --------------------------------------------------------
// The byte loop mirrors scanSegment() in lexer.ts statement by statement and is kept small (its
// locals stay in registers); with a table, a terminated plain segment is then checked by
// clean() with the program of its tag.
const SCAN: number[] = (() => {
  const [P, LEN, BASE, TABLE, COMP] = [0, 1, 2, 3, 4]
  const [I, K, NS, REL, ODD, B, PROG, CL, TAGEND] = [5, 6, 7, 8, 9, 10, 11, 12, 13]
  return [
    ...vec([[9, I32]]),
    ...get(P), ...set(I),
    ...BLOCK, ...LOOP, // $done, $next
    ...BLOCK, ...LOOP, // $hit, $skip: ordinary bytes
    ...get(I), ...get(LEN), ...GE_U, ...brIf(3), // i >= len: $done
    ...get(BASE), ...get(I), ...ADD, ...load8(), ...load8(0), ...tee(K),
    ...brIf(1), // a byte of some class: $hit
    ...inc(I),
    ...br(0),
    ...END, ...END,
    ...get(K), ...konst(K_SEP), ...EQ, ...IF,
    ...get(NS), ...konst(MAX_SEPS), ...LT_U, ...IF,
    ...get(NS), ...konst(2), ...SHL, ...get(I), ...store32(SEPS),
    ...get(NS), ...konst(2), ...SHL, ...get(REL), ...store32(RELS),
    ...END,
    ...inc(NS),
    ...zero(REL),
    ...ELSE,
    ...get(K), ...konst(K_TERM), ...EQ, ...brIf(2), // terminator: $done
    ...get(K), ...konst(K_REL), ...EQ, ...IF,
    ...get(NS), ...EQZ, ...IF, ...konst(1), ...set(ODD), ...END, // released character in the tag
    ...inc(REL),
    ...get(I), ...konst(1), ...ADD, ...tee(I), ...get(LEN), ...LT_U, ...IF,
    ...get(BASE), ...get(I), ...ADD, ...load8(), ...tee(B), ...konst(0x20), ...LT_U,
    ...get(B), ...konst(0x7e), ...GT_U, ...OR, ...IF, ...konst(1), ...set(ODD), ...END,
    ...END,
    ...ELSE,
    ...konst(1), ...set(ODD), // outside printable ASCII, or the repetition separator
    ...END,
    ...END,
    ...inc(I),
    ...br(0),
    ...END, ...END,
    ...get(NS), ...konst(MAX_SEPS), ...LT_U, ...IF,
    ...get(NS), ...konst(2), ...SHL, ...get(REL), ...store32(RELS),
    ...END,
    ...konst(0), ...konst(-2), ...store32(RES + 12), // tag key not computed
    // The element check, for a terminated plain segment whose separators all were recorded.
    ...get(TABLE), ...konst(0), ...NE, ...get(I), ...get(LEN), ...LT_U, ...AND, ...get(ODD), ...EQZ, ...AND,
    ...get(NS), ...konst(MAX_SEPS), ...LE_U, ...AND, ...IF,
    // The tag runs up to the first separator, or is the whole segment.
    ...get(I), ...set(TAGEND),
    ...get(NS), ...IF, ...konst(0), ...load32(SEPS), ...set(TAGEND), ...END,
    ...get(TABLE), ...get(BASE), ...get(P), ...ADD, ...get(TAGEND), ...get(P), ...SUB, ...call(F_LOOKUP), ...tee(PROG), ...IF,
    ...get(PROG), ...get(NS), ...get(I), ...get(COMP), ...get(BASE), ...call(F_CLEAN), ...set(CL),
    ...END,
    ...END,
    ...konst(0), ...get(NS), ...store32(RES),
    ...konst(0), ...get(ODD), ...store32(RES + 4),
    ...konst(0), ...get(CL), ...store32(RES + 8),
    ...get(I),
    ...END,
  ]
})()

const TYPES = [5, 5, 3] // parameter counts of scan, clean, lookup; each returns an i32
const BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec(TYPES.map((k) => [0x60, ...vec(Array.from({ length: k }, () => [I32])), ...vec([[I32]])]))),
  ...section(3, vec([[0], [1], [2]])),
  ...section(5, vec([[0x01, PAGES, PAGES]])), // memory: exactly PAGES pages
  ...section(7, vec([[...name('scan'), 0x00, F_SCAN], [...name('memory'), 0x02, 0x00]])),
  ...section(10, vec([SCAN, CLEAN, LOOKUP].map((b) => [...uleb(b.length), ...b]))),
])

/** The part of the WebAssembly JS API used here (declared locally: the project's lib has no DOM). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { exports: Record<string, unknown> }
}

let compiled: object | null | undefined
let instances = 0

/** Scanners instantiated by this process so far (each a new memory): the pool's misses. */
export function scannersCreated(): number {
  return instances
}

/** A scanner with its own memory, or undefined where WebAssembly is not available. */
export function createWasmScanner(): WasmScanner | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (compiled === undefined) {
    try {
      compiled = api !== undefined ? new api.Module(BYTES) : null
    } catch {
      compiled = null
    }
  }
  if (compiled === null || api === undefined) return undefined
  const exports = new api.Instance(compiled).exports
  instances++
  const scan = exports.scan as WasmScanner['scan']
  const buffer = (exports.memory as { buffer: ArrayBuffer }).buffer
  const u8 = new Uint8Array(buffer)
  const words = new Int32Array(buffer)
  u8.fill(255, A36, A36 + 256)
  for (let b = 0x30; b <= 0x39; b++) u8[A36 + b] = b - 0x30
  for (let b = 0x41; b <= 0x5a; b++) u8[A36 + b] = b - 0x41 + 10
  let free = PROGS
  return {
    scan,
    u8,
    seps: new Int32Array(buffer, SEPS, MAX_SEPS),
    rels: new Int32Array(buffer, RELS, MAX_SEPS + 1),
    res: new Int32Array(buffer, RES, 4),
    data: DATA,
    window: buffer.byteLength - DATA,
    table(programs) {
      let need = 8 * SLOTS
      for (const p of programs.values()) need += 4 * p.length
      if (programs.size >= SLOTS || free + need > DATA) return 0
      const table = free
      free += 8 * SLOTS
      words.fill(0, table >> 2, (table >> 2) + 2 * SLOTS)
      for (const [key, p] of programs) {
        const at = free
        words.set(p, at >> 2)
        free += 4 * p.length
        let slot = key & (SLOTS - 1)
        while (words[(table >> 2) + 2 * slot] !== 0) slot = (slot + 1) & (SLOTS - 1)
        words[(table >> 2) + 2 * slot] = key + 1
        words[(table >> 2) + 2 * slot + 1] = at
      }
      return table
    },
    reset() {
      free = PROGS
    },
  }
}

// Scanners of ended lexers, for the next ones: instantiating and zeroing a memory costs more
// than parsing a small interchange. Kept up to POOL_MAX: a gateway parses a batch of small files
// at once (up to 64 per claim; a one-chunk file gives its scanner back before its first
// statement, pipeline/parse.ts), and a pool of 4 re-instantiated the rest every batch.
// Each holds PAGES of 64 KiB, so a full pool is 10 MiB.
export const POOL_MAX = 32
const pool: WasmScanner[] = []

/** A scanner from the pool or a new one (undefined where WebAssembly is not available). */
export function acquireScanner(): WasmScanner | undefined {
  return pool.pop() ?? createWasmScanner()
}

/** Gives a scanner back once nothing reads its memory any more (the lexer has ended). */
export function releaseScanner(s: WasmScanner): void {
  s.reset()
  if (pool.length < POOL_MAX) pool.push(s)
}
