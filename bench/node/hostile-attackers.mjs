// The attackers of bench/node/hostile-clients.ts, on a thread of their own: the health requests
// timed meanwhile must wait only for the server, not for this loop's own work of sending 600 KB
// bodies back to back (in one event loop, that queueing was part of the health figure).
// Plain JavaScript: worker threads do not inherit tsx's loader.
/* global fetch */
import { parentPort, workerData } from 'node:worker_threads'

/** @type {{ url: string, token: string, body: Uint8Array, attackers: number }} */
const { url, token, body, attackers } = workerData
let attacking = true
let refused = 0

async function attacker() {
  while (attacking) {
    const res = await fetch(`${url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    })
    await res.arrayBuffer()
    if (res.status !== 400) throw new Error(`the deep body was answered ${res.status}`)
    refused++
  }
}

const running = Array.from({ length: attackers }, attacker)
parentPort.once('message', () => {
  attacking = false
  Promise.all(running).then(
    () => parentPort.postMessage({ refused }),
    (e) => parentPort.postMessage({ failed: e instanceof Error ? e.message : String(e) }),
  )
})
parentPort.postMessage({ started: true })
