/** `edi-gateway partners certify <partner> <dir>`: being built (issue 5). */
import { UserError } from '../lib/errors.ts'
import type { Args } from '../cli.ts'

export async function certifyCommand(_a: Args): Promise<number> {
  throw new UserError('partners certify is not available yet')
}
