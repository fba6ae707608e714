/**
 * One read of the log's newest events for everyone on this node who follows
 * it. After a push the projection, the mailer and the live streams all read on
 * from the same cursor: each made its own read, so every push was read from
 * the database and parsed three times over on every node.
 *
 * A read, under way or answered, is shared with whoever asks the same until
 * the log grows (`grew()`: it may miss what was just stored, and whoever asks
 * now was told of that) or, once answered, for `keepMs`: growth stored by
 * another node whose notice was lost is told to nobody, and a follower that
 * polls for it must reach the database again within a poll.
 *
 * A growth this node stored itself comes with its events, kept as the known
 * tail of the log (its last TAIL_KEEP events while they run on without a gap):
 * a page that falls within it is answered without a read, so a push is not
 * read back from the database at all (on PostgreSQL: a query, its rows and
 * their JSON, per push, on the node that had them in hand), even by a follower
 * still busy with an earlier push when the next one landed.
 */
import type { EventPage, EventStore, SequencedEvent } from '../store/types'

/**
 * Events per read for those who follow the log (the projection, the mailer, live streams): the same
 * size, so their reads after a push are one.
 */
export const FOLLOW_PAGE = 500

/** Events of this node's own pushes kept to answer followers from (4 pages: a follower a few pushes behind). */
export const TAIL_KEEP = 4 * FOLLOW_PAGE

/** A reader of the log: `EventStore.readEventsAfter`, which SharedReads also is. */
export type LogReader = Pick<EventStore, 'readEventsAfter'>

export interface SharedReadsOptions {
  /** How long an answered read is shared (ms); default 1,000, under the projection's 2 s poll. */
  keepMs?: number
  /** Reads kept at once (followers at different cursors); the oldest goes first. Default 32. */
  keep?: number
  /** Clock (ms); tests pass a fake one. */
  now?: () => number
}

interface Read {
  page: Promise<EventPage>
  /** When it was answered (ms, `now`); undefined while under way. */
  answeredAt?: number
}

export class SharedReads implements LogReader {
  private reads = new Map<string, Read>()
  /** The newest events this node stored, seqs without a gap, oldest first (at most TAIL_KEEP). */
  private tail: readonly SequencedEvent[] = []
  /** Whether no growth is known past the tail's last event (another node's, or a push told out of order). */
  private tailIsNewest = false
  /** The highest seq any growth was told with. */
  private newestTold = 0
  private readonly keepMs: number
  private readonly keep: number
  private readonly now: () => number

  constructor(
    private readonly store: LogReader,
    options: SharedReadsOptions = {},
  ) {
    this.keepMs = options.keepMs ?? 1_000
    this.keep = options.keep ?? 32
    this.now = options.now ?? (() => performance.now())
  }

  /**
   * The store's page of at most `limit` events after seq `after`, shared (see the file's comment): its
   * events are the same objects for everyone who gets it, so none may change them. A failed read is
   * shared by those already waiting for it, then forgotten.
   */
  readEventsAfter(after: number, limit: number): Promise<EventPage> {
    const known = this.fromTail(after, limit)
    if (known) return Promise.resolve(known)
    return this.shared(after, limit)
  }

  /**
   * The page from the known tail, or null when the tail cannot tell it whole: `after` outside it, or
   * fewer than `limit` events in it past `after` while the log is known to go on past the tail.
   */
  private fromTail(after: number, limit: number): EventPage | null {
    const first = this.tail[0]?.seq
    if (first === undefined || after < first - 1) return null
    const start = after + 1 - first
    if (start > this.tail.length) return null
    const events = this.tail.slice(start, start + limit)
    const rest = this.tail.length - start - events.length
    if (events.length < limit && !this.tailIsNewest) return null
    return { events, more: rest > 0 || (events.length === limit && !this.tailIsNewest) }
  }

  private shared(after: number, limit: number): Promise<EventPage> {
    const key = `${after}/${limit}`
    const known = this.reads.get(key)
    if (known && (known.answeredAt === undefined || this.now() - known.answeredAt < this.keepMs)) return known.page
    const reads = this.reads
    const read: Read = { page: this.store.readEventsAfter(after, limit) }
    reads.delete(key)
    reads.set(key, read)
    // Oldest first: a Map iterates in insertion order.
    if (reads.size > this.keep) reads.delete(reads.keys().next().value!)
    read.page.then(
      () => (read.answeredAt = this.now()),
      () => {
        if (reads.get(key) === read) reads.delete(key)
      },
    )
    return read.page
  }

  /**
   * The log grew to `lastSeq` (undefined: not told): no read begun before is shared with anyone asking
   * from now on. `stored`: the growth's events when this node stored them, seqs lastSeq − stored.length
   * + 1 … lastSeq (AppendResult): they join the known tail (or start it again after a gap), and pages
   * within it are answered without a read; a page that reaches past the tail's end is read once the log
   * is known to go on past it. Events that are not that run of seqs (a caller's bug) are not used: the
   * followers read the pages from the store, as for another node's growth.
   */
  grew(lastSeq?: number, stored?: readonly SequencedEvent[]): void {
    this.reads = new Map()
    this.newestTold = Math.max(this.newestTold, lastSeq ?? Number.POSITIVE_INFINITY)
    const run = lastSeq !== undefined && stored?.length ? stored : undefined
    const after = lastSeq! - (run?.length ?? 0)
    // Never at the cost of the push: it is acknowledged already, and a wrong page would make followers skip.
    if (!run || run.some((e, i) => e.seq !== after + 1 + i)) {
      this.tailIsNewest = false
      return
    }
    const joins = this.tail.at(-1)?.seq === after
    const tail = joins ? [...this.tail, ...run] : [...run]
    this.tail = tail.length > TAIL_KEEP ? tail.slice(tail.length - TAIL_KEEP) : tail
    this.tailIsNewest = lastSeq === this.newestTold
  }
}
