/**
 * Live event streams. The hub does not carry events: it tells each stream that
 * the log grew, and each stream reads on from its own cursor. So a stream that
 * is replaying its backlog, or is slow, can never skip or repeat an event.
 */
import type { SequencedEvent } from '../store/types'

export interface Subscriber {
  readonly tokenId: number
  /** The log now reaches `lastSeq`. */
  notify(lastSeq: number): void
  /** Send a named notice (not an event: docs/CONTRACT-EXTENSIONS.md "Runbooks reach phones"). Optional: tests' fakes need not. */
  notice?(name: string, data: string): void
  close(): void
}

/**
 * Told on each growth: `lastSeq`, and when this node stored the growth itself, `stored`, the events
 * with seqs lastSeq − stored.length + 1 … lastSeq as a read of the log returns them.
 */
export type GrowListener = (lastSeq: number, stored?: readonly SequencedEvent[]) => void

export class StreamHub {
  private readonly subscribers = new Set<Subscriber>()
  private readonly growListeners = new Set<GrowListener>()
  /** The highest seq published. */
  private told = 0

  get size(): number {
    return this.subscribers.size
  }

  add(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber)
    return () => this.subscribers.delete(subscriber)
  }

  /** Called on each publish before any subscriber: shared caches drop what is stale. */
  onGrow(listener: GrowListener): () => void {
    this.growListeners.add(listener)
    return () => this.growListeners.delete(listener)
  }

  /**
   * The log now reaches `lastSeq`: tells the grow listeners, then every stream. A growth already told
   * (a seq at or below one published before) is dropped: on PostgreSQL a node's own append comes back
   * to it by NOTIFY, and its followers would read again for nothing. Seqs only grow, and a reader that
   * sees seq N sees every seq below it (the store's seq invariant), so a later seq covers an earlier one.
   * `stored`: the events of this growth, when this node stored them (see GrowListener).
   */
  publish(lastSeq: number, stored?: readonly SequencedEvent[]): void {
    if (lastSeq <= this.told) return
    this.told = lastSeq
    for (const l of this.growListeners) l(lastSeq, stored)
    for (const s of this.subscribers) s.notify(lastSeq)
  }

  /** Tell every open stream something that is not an event (a runbook was published); each writes it at once. */
  announce(name: string, data: string): void {
    for (const s of this.subscribers) s.notice?.(name, data)
  }

  tokenIds(): Set<number> {
    return new Set([...this.subscribers].map((s) => s.tokenId))
  }

  closeToken(tokenId: number): void {
    for (const s of [...this.subscribers]) if (s.tokenId === tokenId) s.close()
  }

  closeAll(): void {
    for (const s of [...this.subscribers]) s.close()
  }
}
