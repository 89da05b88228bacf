/**
 * Body of a CMS worker thread (cms-pool.ts): decrypt, decompress and verify one inbound AS2
 * message per request with unwrapMessage(), off the main event loop. Certificates arrive as PEM
 * and are parsed once per worker; our private key arrives once per worker as a KeyObject (cloned
 * by postMessage) and is then named by its id.
 */
import type { KeyObject } from 'node:crypto'
import { parentPort } from 'node:worker_threads'
import { parseCertificate, type CertInfo } from './cms.ts'
import type { CmsRequest, CmsReply } from './cms-pool.ts'
import { unwrapMessage } from './unwrap.ts'

const certs = new Map<string, CertInfo>()
const cert = (pem: string): CertInfo => {
  let c = certs.get(pem)
  if (!c) {
    if (certs.size > 256) certs.clear()
    c = parseCertificate(pem)
    certs.set(pem, c)
  }
  return c
}

const keys = new Map<number, KeyObject>()

parentPort?.on('message', (req: CmsRequest) => {
  let reply: CmsReply
  try {
    if (req.key) keys.set(req.keyId, req.key)
    const key = keys.get(req.keyId)
    if (!key) throw new Error(`CMS worker has no key ${req.keyId}`)
    const body = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength)
    const result = unwrapMessage(req.outer, body, { key, cert: cert(req.certPem), partnerCert: cert(req.partnerCertPem) }, { ...req.opts, now: new Date(req.now) })
    reply = { id: req.id, result }
  } catch (err) {
    reply = { id: req.id, error: (err as Error).message }
  }
  parentPort?.postMessage(reply)
})
