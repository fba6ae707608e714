/** The hub tells each growth of the log once. */
import { describe, expect, it } from 'vitest'
import { StreamHub, type Subscriber } from './hub'

describe('StreamHub', () => {
  it('tells a growth once: a seq already published (a node’s own append back by NOTIFY) wakes nobody', () => {
    const hub = new StreamHub()
    const grown: number[] = []
    const notified: number[] = []
    hub.onGrow((seq) => grown.push(seq))
    const stream: Subscriber = { tokenId: 1, notify: (seq) => notified.push(seq), close: () => {} }
    hub.add(stream)
    hub.publish(500) // the push, answered
    hub.publish(500) // its NOTIFY, back from PostgreSQL
    hub.publish(1000) // another node's append
    hub.publish(700) // an older notice arriving late: seq 1000 already covers it
    expect(grown).toEqual([500, 1000])
    expect(notified).toEqual([500, 1000])
  })
})
