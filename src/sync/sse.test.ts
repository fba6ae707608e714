import { describe, expect, it } from 'vitest'
import { SseParser, type SseMessage } from './sse'

function parse(chunks: string[]): { messages: SseMessage[]; comments: string[]; retries: number[]; parser: SseParser } {
  const messages: SseMessage[] = []
  const comments: string[] = []
  const retries: number[] = []
  const parser = new SseParser({
    onMessage: (m) => messages.push(m),
    onComment: (c) => comments.push(c),
    onRetry: (ms) => retries.push(ms),
  })
  for (const chunk of chunks) parser.push(chunk)
  return { messages, comments, retries, parser }
}

const stream = ': connected\n\nid: 1\ndata: {"a":1}\n\n: heartbeat\n\nid: 2\ndata: {"b":"é ✓"}\n\n'

describe('SseParser', () => {
  it('reads id and data, and reports comments (heartbeats) without dispatching them', () => {
    const { messages, comments, parser } = parse([stream])
    expect(messages).toEqual([
      { id: '1', event: 'message', data: '{"a":1}' },
      { id: '2', event: 'message', data: '{"b":"é ✓"}' },
    ])
    expect(comments).toEqual(['connected', 'heartbeat'])
    expect(parser.lastEventId).toBe('2')
  })

  it('gives the same messages however the text is split, one character at a time included', () => {
    const whole = parse([stream]).messages
    for (let cut = 1; cut < stream.length; cut++) {
      expect(parse([stream.slice(0, cut), stream.slice(cut)]).messages).toEqual(whole)
    }
    expect(parse([...stream]).messages).toEqual(whole)
  })

  it('accepts CRLF and CR line ends, even with CR and LF in different chunks', () => {
    const crlf = stream.replace(/\n/g, '\r\n')
    const cr = stream.replace(/\n/g, '\r')
    const whole = parse([stream]).messages
    expect(parse([crlf]).messages).toEqual(whole)
    expect(parse([cr]).messages).toEqual(whole)
    for (let cut = 1; cut < crlf.length; cut++)
      expect(parse([crlf.slice(0, cut), crlf.slice(cut)]).messages).toEqual(whole)
  })

  it('joins multi-line data, keeps the event type, strips one leading space only, and ignores unknown fields', () => {
    const { messages, retries } = parse([
      'event: ping\ndata:  two spaces\ndata:x\nfoo: bar\nretry: 3000\nretry: soon\n\n',
    ])
    expect(messages).toEqual([{ id: '', event: 'ping', data: ' two spaces\nx' }])
    expect(retries).toEqual([3000])
  })

  it('holds back an incomplete message until its blank line arrives', () => {
    const { messages, parser } = parse(['id: 7\ndata: {"partial":'])
    expect(messages).toEqual([])
    const later: SseMessage[] = []
    const p2 = new SseParser({ onMessage: (m) => later.push(m) })
    p2.push('id: 7\ndata: {"partial":')
    p2.push('true}\n')
    expect(later).toEqual([])
    p2.push('\n')
    expect(later).toEqual([{ id: '7', event: 'message', data: '{"partial":true}' }])
    expect(parser.lastEventId).toBe('7')
  })

  it('skips a byte-order mark at the start and dispatches nothing for a message without data', () => {
    const { messages, parser } = parse(['\ufeffid: 3\n\n', 'data: ok\n\n'])
    expect(messages).toEqual([{ id: '3', event: 'message', data: 'ok' }])
    expect(parser.lastEventId).toBe('3')
  })
})
