/**
 * Who may get an asynchronous MDN, and where. RFC 4130 §7.3 lets the sender name any URL in
 * Receipt-Delivery-Option; obeying it blindly turns the gateway into a request forwarder for
 * anyone who knows a partner's AS2 id (SSRF into our own network). So an async MDN is only sent
 *   - for a known partner whose message authenticated (signature verified against the profile's
 *     certificate whenever the profile requires signing), and
 *   - to a URL the partner profile lists in `as2.asyncMdnUrls`.
 * Everything else gets its MDN in the HTTP response (a sync MDN), which reaches only the sender.
 */
import type { As2Config } from '../../config/partner.ts'

/** The URL in normalized form (scheme and host lower-cased, default port dropped), or undefined. */
function normalize(url: string): URL | undefined {
  try {
    const u = new URL(url)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined
    // Credentials in the URL are never ours to send.
    if (u.username || u.password) return undefined
    return u
  } catch {
    return undefined
  }
}

/**
 * True when `url` is on the allow-list: equal to an exact entry, or under a prefix entry (one
 * that ends with `/`, on the same origin). Prefixes are compared after normalization, so
 * `https://p.example/mdn/` never matches `https://p.example.evil.test/` or `/mdnx`.
 *
 * @example
 * asyncMdnUrlAllowed(['https://as2.acme.example/mdn/'], 'https://as2.acme.example/mdn/123') // true
 */
export function asyncMdnUrlAllowed(allowList: readonly string[], url: string): boolean {
  const u = normalize(url)
  if (!u) return false
  for (const entry of allowList) {
    const e = normalize(entry)
    if (!e) continue
    if (e.href === u.href) return true
    if (e.origin === u.origin && e.pathname.endsWith('/') && !e.search && u.href.startsWith(e.href)) return true
  }
  return false
}

/** The async MDN decision for one inbound message. */
export function asyncMdnPermitted(o: {
  as2?: Pick<As2Config, 'asyncMdnUrls' | 'requireSigned'>
  /** The message unwrapped and met the profile's security requirements. */
  accepted: boolean
  /** A signature on the message verified against the partner's certificate. */
  signed: boolean
  url: string
}): boolean {
  if (!o.as2) return false
  const authenticated = o.as2.requireSigned ? o.accepted && o.signed : true
  return authenticated && asyncMdnUrlAllowed(o.as2.asyncMdnUrls, o.url)
}
