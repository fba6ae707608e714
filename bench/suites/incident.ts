/**
 * The 10,000-entry incident on a phone:
 *  - timeline_10k_render_ms: from the click on the incident in the list to the
 *    first frame after the "Timeline" list is visible (in-app navigation);
 *  - log_entry_p95_ms: from the click on "Add to log" to the entry in the
 *    Timeline (the app renders it only after its IndexedDB transaction
 *    committed; all entries are checked in IndexedDB afterwards), beside a raw
 *    IndexedDB put of a row of the same shape in the same page, interleaved.
 * All timing happens inside the page (performance.now()), so Playwright's
 * round trips are not in the figures.
 */
import type { Page } from 'playwright-core'
import { median, percentile } from '../lib/stats'

/** Installed in the page once: helpers the timed snippets share. */
export function pageHelpers(): void {
  const labelOf = (el: Element): string => {
    const ids = el.getAttribute('aria-labelledby')
    if (ids)
      return ids
        .split(/\s+/)
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ')
    return el.getAttribute('aria-label') ?? ''
  }
  const timeline = (): HTMLElement | null => {
    for (const el of document.querySelectorAll<HTMLElement>('ol, ul, [role="list"]'))
      if (/\btimeline\b/i.test(labelOf(el))) return el
    return null
  }
  const button = (name: string): HTMLButtonElement | null => {
    for (const b of document.querySelectorAll('button'))
      if (b.textContent?.trim() === name || b.getAttribute('aria-label') === name) return b
    return null
  }
  const field = (name: string): HTMLInputElement | HTMLTextAreaElement | null => {
    for (const label of document.querySelectorAll('label')) {
      if (label.textContent?.trim() === name && label.htmlFor)
        return document.getElementById(label.htmlFor) as HTMLTextAreaElement | null
    }
    return document.querySelector<HTMLTextAreaElement>(`[aria-label="${name}"]`)
  }
  /** Resolves with performance.now() when `test` first holds after a DOM change (or at once, given no records). */
  const when = (test: (records: MutationRecord[]) => boolean, timeoutMs = 30_000): Promise<number> =>
    new Promise((resolve, reject) => {
      if (test([])) return resolve(performance.now())
      const timer = setTimeout(() => {
        observer.disconnect()
        reject(new Error('timed out waiting for the DOM'))
      }, timeoutMs)
      const observer = new MutationObserver((records) => {
        if (!test(records)) return
        observer.disconnect()
        clearTimeout(timer)
        resolve(performance.now())
      })
      observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true })
    })
  const frame = () => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())))
  Object.assign(window, { __bench: { timeline, button, field, when, frame } })
}

interface BenchHelpers {
  timeline(): HTMLElement | null
  button(name: string): HTMLButtonElement | null
  field(name: string): HTMLInputElement | HTMLTextAreaElement | null
  when(test: (records: MutationRecord[]) => boolean, timeoutMs?: number): Promise<number>
  frame(): Promise<number>
}
declare global {
  interface Window {
    __bench: BenchHelpers
  }
}

/** From the list, open the incident; ms from the click to the first frame with the Timeline visible. */
export async function openIncidentTimed(page: Page, incidentId: string): Promise<number> {
  // The list mounts before incidents are folded (fast start); wait until this one is listed, untimed.
  await page.locator(`a[href="/incidents/${incidentId}"]`).first().waitFor({ state: 'visible', timeout: 60_000 })
  return page.evaluate(async (id) => {
    const b = window.__bench
    const link = [...document.querySelectorAll('a')].find((a) => new URL(a.href).pathname === `/incidents/${id}`)
    if (!link) throw new Error(`no link to incident ${id} in the list`)
    const t0 = performance.now()
    link.click()
    // Presence is checked on each DOM change; visibility (which forces layout) only once per frame.
    for (;;) {
      await b.when(() => !!b.timeline())
      const painted = await b.frame()
      if (b.timeline()?.checkVisibility()) return painted - t0
    }
  }, incidentId)
}

export async function backToList(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const b = window.__bench
    const link = [...document.querySelectorAll('a')].find(
      (a) => new URL(a.href).pathname === '/incidents' && a.closest('nav'),
    )
    if (!link) throw new Error('no Incidents link in the navigation')
    link.click()
    await b.when(() => !!b.button('Declare incident'))
  })
}

export async function timelineRender(page: Page, incidentId: string, samples: number, warmup: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < warmup + samples; i++) {
    const ms = await openIncidentTimed(page, incidentId)
    if (i >= warmup) times.push(ms)
    await backToList(page)
  }
  return median(times)
}

export interface LogEntryResult {
  entryP95: number
  entryMedian: number
  rawPutP95: number
  samples: number
}

/**
 * On the open incident: `samples` log entries, each beside a raw IndexedDB put.
 * An app too slow to do them all within `capMs` stops early (at least
 * `minSamples`): the run must stay under five minutes, and such an app fails
 * the budget anyway. `samples` in the result says how many were taken.
 */
export async function logEntries(
  page: Page,
  samples: number,
  warmup: number,
  capMs = 30_000,
  minSamples = 40,
): Promise<LogEntryResult> {
  await page.evaluate(async () => {
    // The limit's database: the app's events store schema (keyPath id, same indexes), nothing else.
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open('bench-raw', 1)
      open.onupgradeneeded = () => {
        const store = open.result.createObjectStore('events', { keyPath: 'id' })
        store.createIndex('[incidentId+hlc]', ['incidentId', 'hlc'])
        store.createIndex('lseq', 'lseq')
        store.createIndex('sync', 'sync')
      }
      open.onsuccess = () => {
        ;(window as unknown as { __benchRaw: IDBDatabase }).__benchRaw = open.result
        resolve()
      }
      open.onerror = () => reject(open.error)
    })
  })
  const entry: number[] = []
  const raw: number[] = []
  const started = Date.now()
  let made = 0
  for (let i = 0; i < warmup + samples; i++) {
    if (entry.length >= minSamples && Date.now() - started > capMs) break
    made++
    const text = `Bench entry ${i}: checked uplink ${i % 48} on the core switch`
    const sample = await page.evaluate(
      async ({ text, i }) => {
        const b = window.__bench
        const db = (window as unknown as { __benchRaw: IDBDatabase }).__benchRaw
        // Raw put: one row of the app's shape, one transaction, until it commits.
        const row = {
          id: `bench-raw-${i}-${Math.random().toString(36).slice(2, 10)}`,
          incidentId: 'bench-raw-incident',
          hlc: `${String(Date.now()).padStart(15, '0')}:00000:bench`,
          lseq: 1_000_000 + i,
          sync: 0,
          event: {
            id: 'x',
            incidentId: 'bench-raw-incident',
            type: 'log.entry',
            at: new Date().toISOString(),
            hlc: '',
            actor: { id: 'bench', name: 'Bench' },
            payload: { text, kind: 'action' },
          },
        }
        const r0 = performance.now()
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('events', 'readwrite')
          tx.objectStore('events').put(row)
          tx.oncomplete = () => resolve()
          tx.onerror = () => reject(tx.error)
        })
        const rawMs = performance.now() - r0

        const field = b.field('Log entry')
        const button = b.button('Add to log')
        if (!field || !button) throw new Error('no "Log entry" field or "Add to log" button on the incident page')
        field.value = text
        field.dispatchEvent(new Event('input', { bubbles: true }))
        await b.frame() // let Vue take the text before the click, as a person's typing would
        // Only what changed is looked at (pinned entries may come before the newest): cheap at any list size.
        const shown = (records: MutationRecord[]) => {
          const list = b.timeline()
          if (!list) return false
          for (const r of records) {
            const nodes = r.type === 'characterData' ? [r.target] : [...r.addedNodes]
            for (const node of nodes) if (node.textContent?.includes(text) && list.contains(node)) return true
          }
          return false
        }
        const t0 = performance.now()
        button.click()
        const entryMs = (await b.when(shown, 10_000)) - t0
        // Settle: the app's follow-up work (live queries, sync nudge) must not spill into the next sample.
        await b.frame()
        await new Promise((resolve) => setTimeout(resolve, 30))
        return { rawMs, entryMs }
      },
      { text, i },
    )
    if (i >= warmup) {
      entry.push(sample.entryMs)
      raw.push(sample.rawMs)
    }
  }
  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('command-post')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    const rows = await new Promise<{ event: { type: string; payload: { text?: string } } }[]>((resolve) => {
      const req = db.transaction('events').objectStore('events').index('sync').getAll(0)
      req.onsuccess = () => resolve(req.result)
    })
    db.close()
    return rows.filter((r) => r.event.type === 'log.entry' && r.event.payload.text?.startsWith('Bench entry ')).length
  })
  if (stored !== made) throw new Error(`only ${stored} of ${made} log entries are in IndexedDB`)
  return {
    entryP95: percentile(entry, 95),
    entryMedian: median(entry),
    rawPutP95: percentile(raw, 95),
    samples: entry.length,
  }
}
