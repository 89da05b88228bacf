// Operations console: hash routes → views. Every byte of data comes from /api/v1/ops/* with the
// operator token kept in sessionStorage (per tab, gone when the tab closes).
import { AuthError, clearToken, el, getToken, setToken, status, takeFlash } from './dom.js'
import { exceptionsView } from './exceptions.js'
import { lineageView, messagesView } from './messages.js'
import { partnersView } from './partners.js'
import { poListView, poView } from './pos.js'

const routes = [
  [/^#\/exceptions$/, () => exceptionsView()],
  [/^#\/messages$/, () => messagesView()],
  [/^#\/messages\/(.+)$/, (m) => lineageView(decodeURIComponent(m[1]))],
  [/^#\/pos$/, () => poListView()],
  [/^#\/pos\/(.+)$/, (m) => poView(decodeURIComponent(m[1]))],
  [/^#\/partners$/, () => partnersView()],
]

async function render() {
  if (!getToken()) return showLogin()
  document.getElementById('logout').hidden = false
  const hash = location.hash || '#/exceptions'
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', hash.startsWith(a.getAttribute('href')))
  const main = document.getElementById('main')
  const hit = routes.map(([re, view]) => [hash.match(re), view]).find(([m]) => m)
  status('loading…')
  try {
    const node = hit ? await hit[1](hit[0]) : el('p', {}, 'Unknown page')
    main.replaceChildren(node)
    const done = takeFlash()
    status(`${done ? `${done} · ` : ''}updated ${new Date().toLocaleTimeString()}`)
  } catch (err) {
    if (err instanceof AuthError) {
      clearToken()
      return showLogin('The operator token was rejected.')
    }
    main.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Could not load: ${err.message}`))
    status('error')
  }
}

function showLogin(message = '') {
  document.getElementById('logout').hidden = true
  document.getElementById('login-error').textContent = message
  const dialog = document.getElementById('login')
  if (!dialog.open) dialog.showModal()
}

document.getElementById('login-form').addEventListener('submit', (e) => {
  const input = document.getElementById('token')
  setToken(input.value.trim())
  input.value = ''
  document.getElementById('login').close()
  e.preventDefault()
  render()
})
document.getElementById('logout').addEventListener('click', () => {
  clearToken()
  document.getElementById('main').replaceChildren()
  showLogin()
})
window.addEventListener('hashchange', render)
window.addEventListener('console:refresh', render)
render()
