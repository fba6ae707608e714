/**
 * The stakeholder status page (`/status#<token>`): reads the link's token from
 * the fragment (never sent to a server in the page request), asks
 * `GET /api/status` with it, and asks again every `refreshSeconds`, when the
 * page is shown again and when the network returns. Needs no install, no
 * join, no storage: nothing is kept on the reader's phone.
 *
 * Its own entry (status.html): the app's first screen must not grow, so this
 * page statically imports no module the app's entry also loads at start
 * (a shared one would become a chunk of its own there): no valibot, no lazy import.
 */
import { statusTokenFromFragment } from '../domain/status-page'
import { parseStatusAnswer } from './parse'
import { renderStatus, type StatusView } from './render'
import './status.css'

/** Wait after a failed check before the next (s). */
const RETRY_SECONDS = 30

const root = document.getElementById('status')!
let view: StatusView = { kind: 'loading' }
let timer: ReturnType<typeof setTimeout> | undefined
let stopped = false

function show(next: StatusView): void {
  view = next
  renderStatus(root, view)
}

function again(seconds: number): void {
  clearTimeout(timer)
  if (!stopped) timer = setTimeout(() => void check(), seconds * 1000)
}

async function check(): Promise<void> {
  const token = statusTokenFromFragment(window.location.hash)
  if (!token) {
    stopped = true
    return show({ kind: 'invalid' })
  }
  let response: Response
  try {
    response = await fetch('/api/status', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' })
  } catch {
    return failed()
  }
  // Withdrawn or unknown: final, nothing to ask again.
  if (response.status === 410 || response.status === 404) {
    stopped = true
    return show({ kind: response.status === 410 ? 'withdrawn' : 'invalid' })
  }
  const answer = response.ok ? parseStatusAnswer(await response.json().catch(() => null)) : null
  if (!answer) return failed()
  show({ kind: 'answer', answer, checkedAt: Date.now(), offline: false })
  again(answer.refreshSeconds)
}

/** Keeps what was shown, marked as old; tries again later. */
function failed(): void {
  show(view.kind === 'answer' ? { ...view, offline: true } : { kind: 'unreachable' })
  again(RETRY_SECONDS)
}

window.addEventListener('online', () => void check())
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && !stopped) void check()
})
// Another link pasted into the same tab.
window.addEventListener('hashchange', () => {
  stopped = false
  show({ kind: 'loading' })
  void check()
})
void check()
