/**
 * One example request and response per route, for /docs (and as `x-example` in /openapi.json).
 * Requests are curl lines against the demo (`npm run demo`: keys 3pl-demo-key, json-demo-key,
 * operator token ops-demo-token-change-me-0001); responses show the status and a shortened body. Request bodies
 * of the partner API are real: test/http/docs.test.ts validates them with the route's schema
 * and posts the 3PL one through the app.
 */

export interface RouteExample {
  /** A curl command line (bodies inline or from the repository's fixtures). */
  request: string
  /** Example JSON request body, when the route takes one (validated by the tests). */
  body?: unknown
  status: number
  /** Response body (JSON shown pretty-printed, text as is). */
  response: unknown
}

const H = 'http://localhost:8080'
const PARTNER = "-H 'authorization: Bearer 3pl-demo-key'"
const SPAPI = "-H 'authorization: Bearer json-demo-key'"
const OPS = "-H 'authorization: Bearer ops-demo-token-change-me-0001'"
const JSONH = "-H 'content-type: application/json'"
const TX = '01JQ7ZC4M2V8X6T3N5R9K1B0AD'
const EXC = '01JQ7ZD0PQ3S4T5V6W7X8Y9Z0A'

const curlJson = (method: string, path: string, auth: string, body: unknown) =>
  `curl -s -X ${method} ${H}${path} ${auth} ${JSONH} \\\n     --data '${JSON.stringify(body)}'`

const asn3pl = {
  asnNumber: '3PL-ASN-20250306-0007',
  type: 'original',
  shippedAt: '2025-03-06T16:20:00Z',
  shipTo: { gln: '0614141000012', name: 'Ourco DC East' },
  orders: [{ poNumber: '4500012400', cartons: [{ sscc: '006141410000030040', lines: [{ poLine: 20, sku: 'WID-20', qty: '3', uom: 'CA' }] }] }],
}
const ack = {
  acknowledgements: [
    {
      purchaseOrderNumber: '4500012500',
      sellingParty: { partyId: 'VENDOR-JSON-01' },
      acknowledgementDate: '2025-03-02T08:15:00Z',
      items: [
        {
          itemSequenceNumber: '1',
          vendorProductIdentifier: 'VX-100',
          orderedQuantity: { amount: 20, unitOfMeasure: 'Eaches', unitSize: 1 },
          netCost: { currencyCode: 'USD', amount: '9.99' },
          itemAcknowledgements: [{ acknowledgementCode: 'Accepted', acknowledgedQuantity: { amount: 20, unitOfMeasure: 'Eaches', unitSize: 1 }, scheduledShipDate: '2025-03-04T00:00:00Z' }],
        },
      ],
    },
  ],
}
const shipment = {
  shipmentConfirmations: [
    {
      shipmentIdentifier: 'SC-20250304-4412',
      shipmentConfirmationType: 'Original',
      shipmentConfirmationDate: '2025-03-04T17:05:00Z',
      shippedDate: '2025-03-04T16:40:00Z',
      sellingParty: { partyId: 'VENDOR-JSON-01' },
      shipFromParty: { partyId: 'VENDOR-JSON-WH1' },
      shipToParty: { partyId: 'OURCO-DC-EAST' },
      shippedItems: [{ itemSequenceNumber: '1', vendorProductIdentifier: 'VX-100', shippedQuantity: { amount: 20, unitOfMeasure: 'Eaches', unitSize: 1 }, itemDetails: { purchaseOrderNumber: '4500012500' } }],
    },
  ],
}
const invoice = {
  invoices: [
    {
      invoiceType: 'Invoice',
      id: 'INV-SP-9001',
      date: '2025-03-05T10:00:00Z',
      remitToParty: { partyId: 'VENDOR-JSON-01' },
      invoiceTotal: { currencyCode: 'USD', amount: '199.80' },
      items: [{ itemSequenceNumber: 1, vendorProductIdentifier: 'VX-100', invoicedQuantity: { amount: 20, unitOfMeasure: 'Eaches' }, netCost: { currencyCode: 'USD', amount: '9.99' }, purchaseOrderNumber: '4500012500' }],
    },
  ],
}

/** ERP rows: camelCase fields (the CSV column names, po_number ..., are deprecated aliases). */
const erpRows = [{ poNumber: '4500012600', line: '1', supplier: 'demo-x12-supplier', buyerPart: 'ABC-100', quantity: '10', uom: 'EA', unitPrice: '4.50', currency: 'USD' }]

const exception = {
  id: EXC,
  code: 'qty_out_of_tolerance',
  queue: 'matching',
  severity: 'error',
  state: 'open',
  partnerId: 'demo-3pl',
  explanation: 'Line 20 of PO 4500012400: shipped 5 CA, ordered 3 CA; the partner allows 0% over.',
}

/** Keyed `METHOD /path` as in the OpenAPI document. */
export const EXAMPLES: Record<string, RouteExample> = {
  'POST /api/v1/asns': { request: curlJson('POST', '/api/v1/asns', PARTNER, asn3pl), body: asn3pl, status: 202, response: { transactionId: TX } },
  'POST /api/v1/acknowledgements': { request: curlJson('POST', '/api/v1/acknowledgements', SPAPI, ack), body: ack, status: 202, response: { transactionId: TX } },
  'POST /api/v1/shipment-confirmations': { request: curlJson('POST', '/api/v1/shipment-confirmations', SPAPI, shipment), body: shipment, status: 202, response: { transactionId: TX } },
  'POST /api/v1/invoices': { request: curlJson('POST', '/api/v1/invoices', SPAPI, invoice), body: invoice, status: 202, response: { transactionId: TX } },
  'GET /api/v1/transactions/{id}': {
    request: `curl -s ${H}/api/v1/transactions/${TX} ${PARTNER}`,
    status: 200,
    response: { transactionId: TX, status: 'Success', receivedAt: '2025-03-06T16:21:04.512Z', documents: [{ kind: 'asn', businessKey: '3PL-ASN-20250306-0007', status: 'matched', poNumbers: ['4500012400'] }], errors: [] },
  },
  'GET /api/v1/purchase-orders': {
    request: `curl -s '${H}/api/v1/purchase-orders?limit=1' ${SPAPI}`,
    status: 200,
    response: { purchaseOrders: [{ poNumber: '4500012500', status: 'open', lines: [{ lineNo: '1', vendorPart: 'VX-100', quantity: '20', uom: 'EA', unitPrice: '9.99' }] }], next: null },
  },
  'GET /api/v1/outbox': {
    request: `curl -s ${H}/api/v1/outbox -H 'authorization: Bearer edifact-demo-key'`,
    status: 200,
    response: { files: [{ id: '01JQ80A1B2C3D4E5F6G7H8J9K0', kind: 'document', docType: 'ORDERS', filename: 'ORDERS-4500012346.edi', contentType: 'application/edifact', controlNumber: '1', size: 812, createdAt: '2025-03-01T09:00:02.118Z', status: 'queued' }] },
  },
  'GET /api/v1/outbox/{id}': { request: `curl -s ${H}/api/v1/outbox/01JQ80A1B2C3D4E5F6G7H8J9K0 -H 'authorization: Bearer edifact-demo-key' -o orders.edi`, status: 200, response: "UNA:+.? 'UNB+UNOC:3+OURCO:14+5412345000013:14+250301:0900+1'UNH+1+ORDERS:D:96A:UN'…" },
  'POST /api/v1/outbox/{id}/received': { request: `curl -s -X POST ${H}/api/v1/outbox/01JQ80A1B2C3D4E5F6G7H8J9K0/received -H 'authorization: Bearer edifact-demo-key'`, status: 200, response: { id: '01JQ80A1B2C3D4E5F6G7H8J9K0', status: 'acknowledged' } },

  'POST /as2': {
    request: '# sent by the partner\'s AS2 software, not by hand:\nPOST /as2  AS2-From: DEMOSUPPLY-AS2  AS2-To: OURCO-AS2  Message-ID: <…>\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data',
    status: 200,
    response: 'multipart/report; report-type=disposition-notification\n…Disposition: automatic-action/MDN-sent-automatically; processed\nReceived-content-MIC: 7v7F++fQaNHc…, sha-256',
  },
  'POST /as2/mdn': { request: "# the partner's asynchronous MDN for a message we sent\nPOST /as2/mdn  Content-Type: multipart/report; report-type=disposition-notification", status: 200, response: 'ok' },

  'POST /api/v1/erp/purchase-orders': {
    request: curlJson('POST', '/api/v1/erp/purchase-orders', OPS, erpRows),
    body: erpRows,
    status: 200,
    response: { inserted: 1, updated: 0, purchaseOrders: 1, rematched: 0, sentToSuppliers: ['4500012600'] },
  },
  'GET /api/v1/erp/events': {
    request: `curl -s '${H}/api/v1/erp/events?after=0&limit=2' ${OPS}`,
    status: 200,
    response: { events: [{ seq: 1, type: 'po_acknowledged', poNumber: '4500012345' }, { seq: 2, type: 'asn_validated', poNumber: '4500012345' }], next: 2 },
  },

  'GET /api/v1/ops/messages': {
    request: `curl -s '${H}/api/v1/ops/messages?partner=demo-x12-supplier&limit=1' ${OPS}`,
    status: 200,
    response: { messages: [{ id: TX, receivedAt: '2025-03-05T14:32:10.004Z', partnerId: 'demo-x12-supplier', transport: 'sftp', status: 'processed', filename: '856-asn-20250305-01.edi', docTypes: ['856'], poNumbers: ['4500012345'], openExceptions: 0 }], limit: 1, offset: 0 },
  },
  'GET /api/v1/ops/messages/{id}': {
    request: `curl -s ${H}/api/v1/ops/messages/${TX} ${OPS}`,
    status: 200,
    response: {
      payload: { id: TX, partnerId: 'demo-x12-supplier', transport: 'sftp', status: 'processed', receivedAt: '2025-03-05T14:32:10.004Z' },
      interchanges: [{ controlNumber: '000000102', senderId: 'DEMOSUPPLY', status: 'accepted' }],
      transactions: [{ docType: '856', controlNumber: '0001', status: 'accepted', spanStart: 106, spanEnd: 1480 }],
      documents: [{ kind: 'asn', businessKey: 'asn:ASN-20250305-01', poNumbers: ['4500012345'], status: 'matched' }],
      deliveries: [{ kind: 'ack', docType: '997', status: 'sent', ackStatus: null, history: [{ status: 'pending', at: '2025-03-05T14:32:10.412Z', attempts: 0 }, { status: 'sent', at: '2025-03-05T14:32:11.020Z', attempts: 1 }] }],
      exceptions: [],
      jobs: [{ stage: 'parse', state: 'completed', attempts: 1, maxAttempts: 5 }],
    },
  },
  'GET /api/v1/ops/messages/{id}/raw': { request: `curl -s ${H}/api/v1/ops/messages/${TX}/raw ${OPS} -o message.edi`, status: 200, response: 'ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250305*1432*U*00401*000000102*0*P*>~GS*SH*…' },
  'GET /api/v1/ops/exceptions': { request: `curl -s '${H}/api/v1/ops/exceptions?state=open&queue=matching' ${OPS}`, status: 200, response: { exceptions: [exception], limit: 50, offset: 0 } },
  'GET /api/v1/ops/exceptions/{id}': { request: `curl -s ${H}/api/v1/ops/exceptions/${EXC} ${OPS}`, status: 200, response: exception },
  'POST /api/v1/ops/exceptions/{id}/assign': {
    request: curlJson('POST', `/api/v1/ops/exceptions/${EXC}/assign`, OPS, { assignee: 'maria@ourco.example' }),
    body: { assignee: 'maria@ourco.example' },
    status: 200,
    response: { exception: { ...exception, assignee: 'maria@ourco.example' } },
  },
  'POST /api/v1/ops/exceptions/{id}/resolve': {
    request: curlJson('POST', `/api/v1/ops/exceptions/${EXC}/resolve`, OPS, { note: 'supplier confirmed the extra cases; PO amended' }),
    body: { note: 'supplier confirmed the extra cases; PO amended' },
    status: 200,
    response: { exception: { ...exception, state: 'resolved' }, released: true },
  },
  'POST /api/v1/ops/exceptions/{id}/ignore': {
    request: curlJson('POST', `/api/v1/ops/exceptions/${EXC}/ignore`, OPS, { note: 'test file from the partner' }),
    body: { note: 'test file from the partner' },
    status: 200,
    response: { exception: { ...exception, state: 'ignored' }, released: false },
  },
  'POST /api/v1/ops/exceptions/{id}/replay': { request: `curl -s -X POST ${H}/api/v1/ops/exceptions/${EXC}/replay ${OPS}`, status: 202, response: { action: 'rematch', rematched: 1, exception } },
  'GET /api/v1/ops/partners': { request: `curl -s ${H}/api/v1/ops/partners ${OPS}`, status: 200, response: { partners: [{ id: 'demo-x12-supplier', name: 'Demo Industrial Supply Co. (X12)', status: 'live', lastMessageAt: '2025-03-05T14:32:10.004Z', overdueAcks: 0 }] } },
  'GET /api/v1/ops/purchase-orders': {
    request: `curl -s '${H}/api/v1/ops/purchase-orders?limit=1' ${OPS}`,
    status: 200,
    response: { purchaseOrders: [{ poNumber: '4500012345', supplierId: 'demo-x12-supplier', status: 'open', stage: 'billing', value: '1250.00', currency: 'USD', requestedDate: '2025-03-10', acks: 1, asns: 1, invoices: 1, openExceptions: 0 }] },
  },
  'GET /api/v1/ops/purchase-orders/{po}': {
    request: `curl -s ${H}/api/v1/ops/purchase-orders/4500012345 ${OPS}`,
    status: 200,
    response: {
      poNumber: '4500012345',
      purchaseOrder: { poNumber: '4500012345', supplierId: 'demo-x12-supplier', status: 'open', currency: 'USD', lines: [{ lineNo: '10', quantity: '100', uom: 'EA', unitPrice: '12.50', status: 'open' }] },
      stage: 'fulfilment',
      stages: { acknowledged: true, fulfilment: true, billing: false },
      shipments: [{ id: 'doc_01JQ7ZC5…', messageId: TX, businessKey: 'asn:ASN-20250305-01', status: 'matched', exceptions: [], deliveries: [{ kind: 'warehouse', docType: '856', status: 'sent', ackStatus: 'pending' }] }],
      lines: [{ lineNo: '10', ordered: { quantity: '100', uom: 'EA', unitPrice: '12.50' }, poAck: [{ businessKey: 'po_ack:4500012345', state: 'ok', qty: { qty: '100', uom: 'EA' } }], asn: [{ businessKey: 'asn:ASN-20250305-01', state: 'ok', items: ['1'], qty: { qty: '100', uom: 'EA' } }], invoice: [] }],
    },
  },

  'GET /healthz': { request: `curl -s ${H}/healthz`, status: 200, response: { status: 'ok' } },
  'GET /readyz': { request: `curl -s ${H}/readyz`, status: 200, response: { status: 'ready', database: 'ok', queueDepth: 0, oldestQueuedJobSeconds: 0 } },
  'GET /metrics': { request: `curl -s ${H}/metrics`, status: 200, response: '# TYPE edi_jobs_done_total counter\nedi_jobs_done_total{stage="parse"} 42\n…' },
  'GET /openapi.json': { request: `curl -s ${H}/openapi.json`, status: 200, response: { openapi: '3.1.0', info: { title: 'EDI gateway API', version: '1.0.0' }, paths: { '/api/v1/asns': {} } } },
  'GET /docs': { request: `open ${H}/docs`, status: 200, response: '<!doctype html>… this page' },
  'GET /': { request: `open ${H}/   # then sign in with the operator token`, status: 200, response: '<!doctype html>… the operations console' },
  'GET /console/{file}': { request: `curl -s ${H}/console/app.js`, status: 200, response: '// console script (same origin, no external assets)' },
}
