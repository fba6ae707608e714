/**
 * Live event streams. The hub does not carry events: it tells each stream that
 * the log grew, and each stream reads on from its own cursor. So a stream that
 * is replaying its backlog, or is slow, can never skip or repeat an event.
 */
export interface Subscriber {
  readonly tokenId: number
  /** The log now reaches `lastSeq`. */
  notify(lastSeq: number): void
  /** Send a named notice (not an event: docs/CONTRACT-EXTENSIONS.md "Runbooks reach phones"). Optional: tests' fakes need not. */
  notice?(name: string, data: string): void
  close(): void
}

export class StreamHub {
  private readonly subscribers = new Set<Subscriber>()
  private readonly growListeners = new Set<(lastSeq: number) => void>()

  get size(): number {
    return this.subscribers.size
  }

  add(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber)
    return () => this.subscribers.delete(subscriber)
  }

  /** Called on each publish before any subscriber: shared caches drop what is stale. */
  onGrow(listener: (lastSeq: number) => void): () => void {
    this.growListeners.add(listener)
    return () => this.growListeners.delete(listener)
  }

  publish(lastSeq: number): void {
    for (const l of this.growListeners) l(lastSeq)
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
