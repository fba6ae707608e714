/**
 * Hostile load against a listening server, for the soak test and the bench:
 * connections that send part of a request and then nothing, and bodies built
 * to stall a JSON parser. Measures how /api/health answers meanwhile.
 */
import { connect } from 'node:net'
import type { Socket } from 'node:net'

/** Nearest-rank p95 of unsorted samples (ms). */
export function p95(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.95 * sorted.length) - 1))] ?? Number.NaN
}

/**
 * Opens `count` connections, each sending an unfinished request (half stop
 * inside the headers, half inside a body), and resolves once all are
 * connected and written. `close()` drops them.
 */
export async function openPartialRequests(port: number, count: number): Promise<{ sockets: Socket[]; close(): void }> {
  const sockets: Socket[] = []
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve) => {
          const s = connect(port, '127.0.0.1', () => {
            s.write(
              i % 2
                ? 'POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"ev'
                : 'POST /api/events HTTP/1.1\r\nHost: x\r\nX-Slow: ',
              () => resolve(),
            )
          })
          s.on('error', () => resolve())
          sockets.push(s)
        }),
    ),
  )
  return { sockets, close: () => sockets.forEach((s) => s.destroy()) }
}

/** Times `n` GET /api/health one after another; every answer must be 200. */
export async function healthTimes(url: string, n: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    const res = await fetch(`${url}/api/health`)
    if (res.status !== 200) throw new Error(`/api/health answered ${res.status}`)
    await res.arrayBuffer()
    times.push(performance.now() - t)
  }
  return times
}

/** A body of `bytes` nested arrays: what held the event loop for 1.9 s before the JSON bounds. */
export function deepBody(bytes = 600_000): string {
  const half = Math.floor((bytes - 12) / 2)
  return `{"events":${'['.repeat(half)}${']'.repeat(half)}}`
}
