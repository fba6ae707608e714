/**
 * A server-sent events parser fed with text as it arrives (WHATWG HTML
 * §9.2.6). We read the stream with fetch() because EventSource cannot send an
 * Authorization header; chunks may split a line, a field or a CRLF anywhere.
 */

export interface SseMessage {
  /** The `id:` in force when the message was dispatched (the server's seq). */
  id: string
  event: string
  data: string
}

export interface SseHandlers {
  onMessage(message: SseMessage): void
  /** Comment lines (`: heartbeat`): proof the connection is alive. */
  onComment?(text: string): void
  /** A `retry:` field: the server's reconnection delay in ms. */
  onRetry?(ms: number): void
}

export class SseParser {
  private buffer = ''
  /** A chunk ended in CR: a LF at the start of the next one belongs to it. */
  private pendingCr = false
  private started = false
  private data: string[] = []
  private event = ''
  private lastId = ''

  constructor(private readonly handlers: SseHandlers) {}

  /** Feed decoded text; complete lines are handled at once, the rest is kept. */
  push(text: string): void {
    if (!this.started && text.length) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1)
    this.pendingCr = false
    this.buffer += text
    let start = 0
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      this.line(this.buffer.slice(start, i))
      if (c === 13) {
        if (i + 1 === this.buffer.length) this.pendingCr = true
        else if (this.buffer.charCodeAt(i + 1) === 10) i++
      }
      start = i + 1
    }
    this.buffer = this.buffer.slice(start)
  }

  /** The id of the last message seen, for resuming. */
  get lastEventId(): string {
    return this.lastId
  }

  private line(line: string): void {
    if (line === '') return this.dispatch()
    if (line.startsWith(':')) {
      this.handlers.onComment?.(line.slice(1).trimStart())
      return
    }
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    switch (field) {
      case 'data':
        this.data.push(value)
        break
      case 'event':
        this.event = value
        break
      case 'id':
        if (!value.includes('\0')) this.lastId = value
        break
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value))
        break
      default:
        break // unknown fields are ignored, as the spec says
    }
  }

  private dispatch(): void {
    const data = this.data
    const event = this.event
    this.data = []
    this.event = ''
    if (data.length === 0) return
    this.handlers.onMessage({ id: this.lastId, event: event || 'message', data: data.join('\n') })
  }
}
