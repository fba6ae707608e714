/**
 * SSE pages shared by every open stream: streams at the same cursor (all of
 * them, after a post) get one read and one serialisation, and each writes the
 * same string. A page read before the log grew may be short, so pages are
 * forgotten whenever it grows.
 */
import type { LogReader } from './shared-reads'

export interface SsePage {
  /** `id: <seq>\ndata: <event>\n\n` for each event, ready to write. */
  chunk: string
  /** Seq of the last event in the page; absent when the page is empty. */
  lastSeq?: number
  /** True when more events exist after this page. */
  more: boolean
}

export class SharedPages {
  private pages = new Map<number, Promise<SsePage>>()

  constructor(
    private readonly store: LogReader,
    private readonly size: number,
    /** Pages kept at once: streams replaying a backlog from different cursors. */
    private readonly keep = 32,
  ) {}

  read(after: number): Promise<SsePage> {
    const cached = this.pages.get(after)
    if (cached) return cached
    const pages = this.pages
    const page = this.store.readEventsAfter(after, this.size).then(({ events, more }): SsePage => {
      let chunk = ''
      for (const event of events) chunk += `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`
      return { chunk, lastSeq: events.at(-1)?.seq, more }
    })
    pages.set(after, page)
    // Oldest first: a Map iterates in insertion order.
    if (pages.size > this.keep) pages.delete(pages.keys().next().value!)
    page.catch(() => {
      if (pages.get(after) === page) pages.delete(after)
    })
    return page
  }

  /** The log grew: short pages read before now are incomplete. */
  grew(): void {
    this.pages = new Map()
  }
}
