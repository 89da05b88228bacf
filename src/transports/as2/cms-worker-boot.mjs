// Entry of a CMS worker thread (cms-pool.ts): a worker starts with no TypeScript loader, so
// register tsx here, as bin/edi-gateway.js does for the main thread, then load the worker body.
import { register } from 'tsx/esm/api'
register()
await import('./cms-worker.ts')
