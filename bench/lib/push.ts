/**
 * The benches' push: POST /api/events over node:http with a kept-alive
 * connection. Not fetch: undici's fetch spent about 4.5 ms of the client's CPU
 * on each 500-event (≈ 250 KB) push on the 2-core machines, twice what
 * node:http takes, and one client pushing one batch at a time waits for it
 * between pushes: that is the harness's time, not the server's.
 */
import { Agent, request } from 'node:http'

const agent = new Agent({ keepAlive: true })

/** What a push answered: the status and the body, parsed as JSON. */
export interface PushReply {
  status: number
  body: { accepted?: string[]; duplicate?: string[]; rejected?: unknown[]; [key: string]: unknown }
}

/**
 * POSTs `body` (a JSON text `{ events: [...] }`) to `${origin}/api/events` with the access token.
 * Rejects on a network error or a body that is not JSON; an error status is resolved, for the caller to judge.
 */
export function pushBatch(origin: string, token: string, body: string): Promise<PushReply> {
  const url = new URL('/api/events', origin)
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
          } catch (e) {
            reject(e as Error)
          }
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
