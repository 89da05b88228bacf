/**
 * A deterministic X12 856 file of about `bytes` bytes from the demo X12 supplier (ISA06
 * DEMOSUPPLY), produced piece by piece: the benchmark's generator (bench/gen/x12.ts: deep HL
 * trees, valid against our dictionaries, 200 sets per interchange) with the demo partner's
 * envelope ids in place of its own. Same size, same bytes, every run.
 */
import { chunksX12 } from '../../bench/gen/x12.ts'

export const SETS_PER_INTERCHANGE = 200

export async function* large856(bytes: number): AsyncGenerator<Buffer> {
  for (const piece of chunksX12({ type: '856', bytes, seed: 856, perGroup: SETS_PER_INTERCHANGE })) {
    yield Buffer.from(piece.replaceAll('*PARTNER        *', '*DEMOSUPPLY     *').replaceAll('*PARTNERAPP*OURAPP*', '*DEMOSUPPLY*OURCO*'), 'latin1')
  }
}
