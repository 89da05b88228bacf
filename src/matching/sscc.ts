/**
 * SSCC-18 (GS1 General Specifications §2.2.1, AI 00): extension digit, GS1 company prefix, serial
 * reference, then a mod-10 check digit computed with weights 3,1,3,... from the right-most data
 * digit (GS1 §7.9.1). X12 MAN*GM and EDIFACT GIN+BJ usually carry the 18 digits; some partners
 * prefix the application identifier `00`, which we strip.
 */
export type SsccCheck =
  | { ok: true; sscc: string }
  | { ok: false; problem: 'length' | 'not_digits' | 'check_digit'; expectedCheckDigit?: string }

/** GS1 mod-10 check digit for a string of data digits. */
export function gs1CheckDigit(data: string): string {
  let total = 0
  for (let i = data.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3)
    total += Number(data[i]) * w
  return String((10 - (total % 10)) % 10)
}

/** Validate an SSCC as sent; returns the normalised 18 digits when valid. */
export function checkSscc(raw: string): SsccCheck {
  let s = raw.trim().replace(/[\s()]/g, '')
  if (s.length === 20 && s.startsWith('00')) s = s.slice(2)
  if (!/^\d+$/.test(s)) return { ok: false, problem: 'not_digits' }
  if (s.length !== 18) return { ok: false, problem: 'length' }
  const expected = gs1CheckDigit(s.slice(0, 17))
  if (expected !== s[17]) return { ok: false, problem: 'check_digit', expectedCheckDigit: expected }
  return { ok: true, sscc: s }
}

/** The SSCC's comparable form (AI prefix and spaces removed) for reuse checks. */
export function normSscc(raw: string): string {
  const s = raw.trim().replace(/[\s()]/g, '')
  return s.length === 20 && s.startsWith('00') ? s.slice(2) : s
}
