// Tiny DOM and API helpers for the console. Data is only ever inserted as text (textContent),
// never as HTML, so partner-controlled strings cannot inject markup.
const TOKEN_KEY = 'edi-operator-token'

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v)
    else if (k === 'class') node.className = v
    else if (k === 'dataset') Object.assign(node.dataset, v)
    else node.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue
    node.append(c instanceof Node ? c : document.createTextNode(String(c)))
  }
  return node
}

export const badge = (text) => el('span', { class: `badge ${String(text ?? '')}` }, text ?? '—')
export const when = (d) => (d ? new Date(d).toLocaleString() : '—')

export function age(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`
  return `${Math.round(seconds / 86400)} d`
}

export function table(headers, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))), el('tbody', {}, rows))
}

export const getToken = () => sessionStorage.getItem(TOKEN_KEY)
export const setToken = (t) => sessionStorage.setItem(TOKEN_KEY, t)
export const clearToken = () => sessionStorage.removeItem(TOKEN_KEY)

export class AuthError extends Error {}

/** Calls the operations API with the operator token; problem+json bodies become Error messages. */
export async function api(path, opts = {}) {
  const headers = { authorization: `Bearer ${getToken() ?? ''}` }
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
  if (res.status === 401) throw new AuthError('operator token rejected')
  if (opts.raw) {
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`)
    return res
  }
  const data = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(data.detail || data.title || `${res.status} ${res.statusText}`)
  return data
}

export function status(text) {
  document.getElementById('status').textContent = text
}

// The outcome of an action, shown once by the re-render that follows it.
let pending = null
export function flash(text) {
  pending = text
  status(text)
}
export function takeFlash() {
  const t = pending
  pending = null
  return t
}

/** Builds a query string from a form, skipping empty fields. */
export function formQuery(form) {
  const p = new URLSearchParams()
  for (const [k, v] of new FormData(form)) if (String(v).trim()) p.set(k, String(v).trim())
  return p
}
