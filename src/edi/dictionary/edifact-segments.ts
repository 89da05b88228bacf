/**
 * Segment directory subset (UNTDID EDSD) for the segments our four messages use, D96A and D01B.
 * Only the segments listed here get element checks; any other segment allowed by the message
 * structure is checked for position and repeat only.
 */
import { seg, type ElementDef } from './edifact-dsl.ts'

const C002 = 'C002 C [1001 C an..3, 1131 C an..17, 3055 C an..3, 1000 C an..35]'
const C212 = 'C212 C [7140 C an..35, 7143 C an..3, 1131 C an..17, 3055 C an..3]'
const C212M = 'C212 M [7140 C an..35, 7143 C an..3, 1131 C an..17, 3055 C an..3]'

const SHARED: Record<string, string> = {
  DTM: 'C507 M [2005 M an..3, 2380 C an..35, 2379 C an..3]',
  CTA: '3139 C an..3; C056 C [3413 C an..17, 3412 C an..35]',
  COM: 'C076 M [3148 M an..512, 3155 M an..3]',
  LIN: `1082 C n..6; 1229 C an..3; ${C212}; C829 C [5495 C an..3, 1082 C n..6]; 1222 C n..2; 7083 C an..3`,
  PIA: `4347 M an..3; ${C212M}; ${C212}; ${C212}; ${C212}; ${C212}`,
  PRI: 'C509 C [5125 M an..3, 5118 C n..15, 5375 C an..3, 5387 C an..3, 5284 C n..9, 6411 C an..3]; 5213 C an..3',
  CUX: 'C504 C [6347 M an..3, 6345 C an..3, 6343 C an..3, 6348 C n..4]; C504 C [6347 M an..3, 6345 C an..3, 6343 C an..3, 6348 C n..4]; 5402 C n..12; 6341 C an..3',
  PAI: 'C534 M [4439 C an..3, 4431 C an..3, 4461 C an..3, 1131 C an..17, 3055 C an..3, 4435 C an..3]',
  ALI: '3239 C an..3; 9213 C an..3; 4183 C an..3; 4183 C an..3; 4183 C an..3; 4183 C an..3; 4183 C an..3',
  PAT: '4279 M an..3; C110 C [4277 C an..17, 1131 C an..17, 3055 C an..3, 4276 C an..35, 4276 C an..35]; C112 C [2475 M an..3, 2009 C an..3, 2151 C an..3, 2152 C n..3]',
  TOD: '4055 C an..3; 4215 C an..3; C100 C [4053 C an..3, 1131 C an..17, 3055 C an..3, 4052 C an..70, 4052 C an..70]',
  PAC: '7224 C n..8; C531 C [7075 C an..3, 7233 C an..3, 7073 C an..3]; C202 C [7065 C an..17, 1131 C an..17, 3055 C an..3, 7064 C an..35]; C402 C [7077 M an..3, 7064 M an..35, 7143 C an..3, 7064 C an..35, 7143 C an..3]; C532 C [8395 C an..3, 8393 C an..3]',
  MEA: '6311 M an..3; C502 C [6313 C an..3, 6321 C an..3, 6155 C an..17, 6154 C an..70]; C174 C [6411 M an..3, 6314 C an..18, 6162 C n..18, 6152 C n..18, 6432 C n..2]; 7383 C an..3',
  PCI: '4233 C an..3; C210 C [7102 M an..35, 7102 C an..35, 7102 C an..35, 7102 C an..35, 7102 C an..35, 7102 C an..35, 7102 C an..35, 7102 C an..35, 7102 C an..35, 7102 C an..35]; 8275 C an..3; C827 C [7511 M an..3, 1131 C an..17, 3055 C an..3]',
  GIN: '7405 M an..3; C208 M [7402 M an..35, 7402 C an..35]; C208 C [7402 M an..35, 7402 C an..35]; C208 C [7402 M an..35, 7402 C an..35]; C208 C [7402 M an..35, 7402 C an..35]; C208 C [7402 M an..35, 7402 C an..35]',
  CPS: '7164 M an..12; 7166 C an..12; 7075 C an..3',
  UNS: '0081 M a1 {D S}',
  CNT: 'C270 M [6069 M an..3, 6066 M n..18, 6411 C an..3]',
  ALC: '5463 M an..3; C552 C [1230 C an..35, 5189 C an..3]; 4471 C an..3; 1227 C an..3; C214 C [7161 C an..3, 1131 C an..17, 3055 C an..3, 7160 C an..35, 7160 C an..35]',
  SCC: '4017 M an..3; 4493 C an..3; C329 C [2013 C an..3, 2015 C an..3, 2017 C an..3]',
  PCD: 'C501 M [5245 M an..3, 5482 M n..10, 5249 C an..3, 1131 C an..17, 3055 C an..3]',
  TDT: '8051 M an..3; 8028 C an..17; C220 C [8067 C an..3, 8066 C an..17]; C228 C [8179 C an..8, 8178 C an..17]; C040 C [3127 C an..17, 1131 C an..17, 3055 C an..3, 3128 C an..35]; 8101 C an..3; C401 C [8457 M an..3, 8459 M an..3, 7130 C an..17]; C222 C [8213 C an..9, 1131 C an..17, 3055 C an..3, 8212 C an..35, 8453 C an..3]; 8281 C an..3',
}

/** D96A: BGM 1004 simple; FTX text an..70; QTY/MOA numeric. */
const D96A_ONLY: Record<string, string> = {
  BGM: `${C002}; 1004 C an..35; 1225 C an..3; 4343 C an..3`,
  RFF: 'C506 M [1153 M an..3, 1154 C an..35, 1156 C an..6, 4000 C an..35]',
  NAD: '3035 M an..3; C082 C [3039 M an..35, 1131 C an..17, 3055 C an..3]; C058 C [3124 M an..35, 3124 C an..35, 3124 C an..35, 3124 C an..35, 3124 C an..35]; C080 C [3036 M an..35, 3036 C an..35, 3036 C an..35, 3036 C an..35, 3036 C an..35, 3045 C an..3]; C059 C [3042 M an..35, 3042 C an..35, 3042 C an..35]; 3164 C an..35; 3229 C an..9; 3251 C an..9; 3207 C an..3',
  IMD: '7077 C an..3; C272 C [7081 C an..3, 1131 C an..17, 3055 C an..3]; C273 C [7009 C an..17, 1131 C an..17, 3055 C an..3, 7008 C an..35, 7008 C an..35, 3453 C an..3]; 7383 C an..3',
  QTY: 'C186 M [6063 M an..3, 6060 M n..15, 6411 C an..3]',
  MOA: 'C516 M [5025 M an..3, 5004 C n..18, 6345 C an..3, 6343 C an..3, 4405 C an..3]',
  FTX: '4451 M an..3; 4453 C an..3; C107 C [4441 M an..17, 1131 C an..17, 3055 C an..3]; C108 C [4440 M an..70, 4440 C an..70, 4440 C an..70, 4440 C an..70, 4440 C an..70]; 3453 C an..3',
  TAX: '5283 M an..3; C241 C [5153 C an..3, 1131 C an..17, 3055 C an..3, 5152 C an..35]; C533 C [5289 M an..6, 1131 C an..17, 3055 C an..3]; 5286 C an..15; C243 C [5279 C an..7, 1131 C an..17, 3055 C an..3, 5278 C an..17]; 5305 C an..3; 3446 C an..20',
  LOC: '3227 M an..3; C517 C [3225 C an..25, 1131 C an..17, 3055 C an..3, 3224 C an..70]; C519 C [3223 C an..25, 1131 C an..17, 3055 C an..3, 3222 C an..70]; C553 C [3233 C an..25, 1131 C an..17, 3055 C an..3, 3232 C an..70]; 5479 C an..3',
}

/**
 * D01B differences that matter for our checks: BGM 1004 became composite C106, RFF/NAD/IMD/FTX
 * texts grew (7008 an..256, 4440 an..512), QTY 6060 and MOA 5004 are an..35 / n..35.
 */
const D01B_ONLY: Record<string, string> = {
  // 1082 became an..6 and 6411 an..8 (measure unit codes such as GBND/PACK in EANCOM 2002).
  LIN: `1082 C an..6; 1229 C an..3; ${C212}; C829 C [5495 C an..3, 1082 C an..6]; 1222 C n..2; 7083 C an..3`,
  PCD: 'C501 M [5245 M an..3, 5482 M n..10, 5249 C an..3, 1131 C an..17, 3055 C an..3]; 4405 C an..3',
  PRI: 'C509 C [5125 M an..3, 5118 C n..15, 5375 C an..3, 5387 C an..3, 5284 C n..9, 6411 C an..8]; 5213 C an..3',
  BGM: `${C002}; C106 C [1004 C an..35, 1056 C an..9, 1060 C an..6]; 1225 C an..3; 4343 C an..3`,
  RFF: 'C506 M [1153 M an..3, 1154 C an..70, 1156 C an..6, 4000 C an..35, 1060 C an..6]',
  NAD: '3035 M an..3; C082 C [3039 M an..35, 1131 C an..17, 3055 C an..3]; C058 C [3124 M an..35, 3124 C an..35, 3124 C an..35, 3124 C an..35, 3124 C an..35]; C080 C [3036 M an..35, 3036 C an..35, 3036 C an..35, 3036 C an..35, 3036 C an..35, 3045 C an..3]; C059 C [3042 M an..35, 3042 C an..35, 3042 C an..35, 3042 C an..35]; 3164 C an..35; C819 C [3229 C an..9, 1131 C an..17, 3055 C an..3, 3228 C an..70]; 3251 C an..17; 3207 C an..3',
  IMD: '7077 C an..3; C272 C [7081 C an..3, 1131 C an..17, 3055 C an..3]; C273 C [7009 C an..17, 1131 C an..17, 3055 C an..3, 7008 C an..256, 7008 C an..256, 3453 C an..3]; 7383 C an..3',
  QTY: 'C186 M [6063 M an..3, 6060 M an..35, 6411 C an..8]',
  MOA: 'C516 M [5025 M an..3, 5004 C n..35, 6345 C an..3, 6343 C an..3, 4405 C an..3]',
  FTX: '4451 M an..3; 4453 C an..3; C107 C [4441 M an..17, 1131 C an..17, 3055 C an..3]; C108 C [4440 M an..512, 4440 C an..512, 4440 C an..512, 4440 C an..512, 4440 C an..512]; 3453 C an..3; 4447 C an..3',
  TAX: '5283 M an..3; C241 C [5153 C an..3, 1131 C an..17, 3055 C an..3, 5152 C an..35]; C533 C [5289 M an..6, 1131 C an..17, 3055 C an..3]; 5286 C an..15; C243 C [5279 C an..7, 1131 C an..17, 3055 C an..3, 5278 C an..17, 5273 C an..12, 1131 C an..17, 3055 C an..3]; 5305 C an..3; 3446 C an..35; 1227 C an..3',
  LOC: '3227 M an..3; C517 C [3225 C an..35, 1131 C an..17, 3055 C an..3, 3224 C an..256]; C519 C [3223 C an..25, 1131 C an..17, 3055 C an..3, 3222 C an..70]; C553 C [3233 C an..25, 1131 C an..17, 3055 C an..3, 3232 C an..70]; 5479 C an..3',
}

function build(extra: Record<string, string>): Record<string, ElementDef[]> {
  const out: Record<string, ElementDef[]> = {}
  for (const [tag, spec] of Object.entries({ ...SHARED, ...extra })) out[tag] = seg(spec)
  return out
}

export const SEGMENTS_D96A = build(D96A_ONLY)
export const SEGMENTS_D01B = build(D01B_ONLY)
