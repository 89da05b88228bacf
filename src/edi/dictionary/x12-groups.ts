/**
 * Which transaction sets a functional group may hold: GS01 (479 Functional Identifier Code) →
 * ST01 (143 Transaction Set Identifier Code). X12.5 puts sets of one functional group in one
 * GS..GE, and the X12 tables assign every transaction set exactly one functional identifier, so
 * a set is in the wrong group when its ST01 is listed here under another GS01.
 * Sets not listed are not judged (an unknown pairing is not an error); every GS01 here is also
 * in FUNCTIONAL_ID_479 (x12-codes.ts).
 */
export const SETS_BY_FUNCTIONAL_ID: Readonly<Record<string, readonly string[]>> = {
  // Supply chain: ordering, shipping, billing
  PO: ['850'], // Purchase Order
  PR: ['855'], // Purchase Order Acknowledgment
  PC: ['860'], // Purchase Order Change Request - Buyer Initiated
  CA: ['865'], // Purchase Order Change Acknowledgment/Request - Seller Initiated
  SH: ['856'], // Ship Notice/Manifest
  IN: ['810'], // Invoice
  CD: ['812'], // Credit/Debit Adjustment
  RA: ['820'], // Payment Order/Remittance Advice
  AG: ['824'], // Application Advice
  PS: ['830'], // Planning Schedule with Release Capability
  SS: ['862'], // Shipping Schedule
  SC: ['832'], // Price/Sales Catalog
  IB: ['846'], // Inventory Inquiry/Advice
  PD: ['852'], // Product Activity Data
  RC: ['861'], // Receiving Advice/Acceptance Certificate
  TX: ['864'], // Text Message
  PT: ['867'], // Product Transfer and Resale Report
  RS: ['869', '870'], // Order Status Inquiry, Order Status Report
  OR: ['816'], // Organizational Relationships
  OG: ['875'], // Grocery Products Purchase Order
  GP: ['880'], // Grocery Products Invoice
  // Warehousing
  OW: ['940'], // Warehouse Shipping Order
  AR: ['943'], // Warehouse Stock Transfer Shipment Advice
  RE: ['944'], // Warehouse Stock Transfer Receipt Advice
  SW: ['945'], // Warehouse Shipping Advice
  AW: ['947'], // Warehouse Inventory Adjustment Advice
  // Transportation
  SM: ['204'], // Motor Carrier Load Tender
  IM: ['210'], // Motor Carrier Freight Details and Invoice
  QM: ['214'], // Transportation Carrier Shipment Status Message
  GF: ['990'], // Response to a Load Tender
  // Health care
  HS: ['270'], // Eligibility, Coverage or Benefit Inquiry
  HB: ['271'], // Eligibility, Coverage or Benefit Information
  HR: ['276'], // Health Care Claim Status Request
  HN: ['277'], // Health Care Claim Status Notification
  HI: ['278'], // Health Care Services Review Information
  BE: ['834'], // Benefit Enrollment and Maintenance
  HP: ['835'], // Health Care Claim Payment/Advice
  HC: ['837'], // Health Care Claim
  // Acknowledgments
  FA: ['997', '999'], // Functional Acknowledgment, Implementation Acknowledgment
}

const BY_SET = new Map<string, string>()
for (const [fid, sets] of Object.entries(SETS_BY_FUNCTIONAL_ID)) for (const set of sets) BY_SET.set(set, fid)

/** The GS01 a transaction set belongs in (`850` → `PO`); undefined for sets we do not list. */
export function functionalIdOf(st01: string): string | undefined {
  return BY_SET.get(st01)
}
