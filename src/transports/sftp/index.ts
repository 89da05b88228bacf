/** Public entry points of the SFTP transport (main.ts wires these). */
export {
  createSftpServer,
  type SftpServer,
  type SftpServerOptions,
  type SftpServerStats,
} from './server.ts'
export {
  createSftpPoller,
  type SftpPoller,
  type SftpPollerOptions,
  type PollResult,
} from './poll.ts'
export {
  createSftpMailboxTransport,
  createSftpTransport,
  type SftpTransportOptions,
} from './transport.ts'
export type { SftpStore, OnSftpProblem, KnownHostKey, OutboxFileRecord } from './ports.ts'
export { DEFAULT_SFTP_LIMITS, type SftpLimits } from './limits.ts'
