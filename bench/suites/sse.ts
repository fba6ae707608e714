/**
 * Live fan-out: 200 phones hold GET /api/events/stream open (Node fetch,
 * streamed); one event is POSTed; the time until the last of the 200 has it.
 * p95 over 20 posts (3 warm-up posts excluded). With the 200 streams open, the
 * server's resident memory is read from /proc.
 */
import { readFileSync } from 'node:fs'
import type { IncidentEvent } from '../../src/domain/events'
import { percentile, sleep } from '../lib/stats'

interface StreamClient {
  /** Resolves when an event with this id arrives. */
  waitFor(id: string): Promise<number>
  close(): void
}

async function openStream(url: string, token: string, after: number): Promise<StreamClient> {
  const abort = new AbortController()
  const res = await fetch(`${url}/api/events/stream?after=${after}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  })
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`)
  const waiting = new Map<string, (t: number) => void>()
  const seen = new Map<string, number>()
  const decoder = new TextDecoder()
  let buffer = ''
  void (async () => {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const now = performance.now()
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = message.split('\n').find((line) => line.startsWith('data: '))
          if (!data) continue
          const id = (JSON.parse(data.slice(6)) as { id: string }).id
          const resolve = waiting.get(id)
          if (resolve) {
            waiting.delete(id)
            resolve(now)
          } else seen.set(id, now)
        }
      }
    } catch {
      // Aborted at the end of the benchmark.
    }
  })()
  return {
    waitFor: (id) => {
      const at = seen.get(id)
      if (at !== undefined) return Promise.resolve(at)
      return new Promise((resolve) => waiting.set(id, resolve))
    },
    close: () => abort.abort(),
  }
}

/** Resident memory of a process and its descendants' largest (tsx runs the server in a child node). */
export function serverRssMb(pid: number): number {
  const rss = (p: number) =>
    Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
    } catch {
      return []
    }
  }
  // The server is the leaf node process; the tsx wrapper above it is not the server.
  let leaf = pid
  for (let next = children(leaf); next.length; next = children(leaf)) leaf = next[0]!
  return rss(leaf)
}

export interface FanoutResult {
  p95Ms: number
  medianMs: number
  rssMb: number
}

export async function sseFanout(
  url: string,
  streamToken: string,
  postToken: string,
  serverPid: number,
  events: readonly IncidentEvent[],
  clients = 200,
  posts = 20,
  warmup = 3,
): Promise<FanoutResult> {
  // Start at the end of the log: the figure is fan-out, not backlog replay.
  const head = await lastSeq(url, postToken)
  const streams: StreamClient[] = []
  try {
    // Opened a few at a time: 200 at once is a thundering herd, not what is measured here.
    for (let i = 0; i < clients; i += 20) {
      streams.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(20, clients - i) }, () => openStream(url, streamToken, head)),
        )),
      )
    }
    await sleep(300)
    const rssMb = serverRssMb(serverPid)
    const spans: number[] = []
    for (let i = 0; i < warmup + posts; i++) {
      const event = events[i]!
      const arrivals = Promise.all(streams.map((s) => s.waitFor(event.id)))
      const t0 = performance.now()
      const res = await fetch(`${url}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${postToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [event] }),
      })
      if (!res.ok) throw new Error(`POST answered ${res.status}`)
      const times = await withTimeout(arrivals, 10_000, `not every stream got event ${i}`)
      if (i >= warmup) spans.push(Math.max(...times) - t0)
      await sleep(50)
    }
    return { p95Ms: percentile(spans, 95), medianMs: percentile(spans, 50), rssMb }
  } finally {
    for (const s of streams) s.close()
  }
}

export async function lastSeq(url: string, token: string): Promise<number> {
  // The log's head: page through with the largest pages the API allows.
  let after = 0
  for (;;) {
    const res = await fetch(`${url}/api/events?after=${after}&limit=1000`, {
      headers: { authorization: `Bearer ${token}` },
    })
    if (!res.ok) throw new Error(`GET /api/events answered ${res.status}`)
    const page = (await res.json()) as { last: number; more: boolean }
    after = page.last
    if (!page.more) return after
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref())])
}
