import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { CommandPostDatabase } from '../db/database'
import { storeServerEvents } from './pull'

let n = 0
describe('storing server events with their sender', () => {
  it('keeps receivedFrom, and seq (the declaration rule and the cursor check read it)', async () => {
    const db = new CommandPostDatabase(`pull-sender-${n++}`)
    const event = makeEvent('log.entry')
    const receivedFrom = { tokenId: 2, name: 'Pat' }
    const result = await storeServerEvents(db, [{ ...event, seq: 7, receivedFrom }], 7)
    expect(result.fresh).toEqual([{ ...event, seq: 7, receivedFrom }])
    expect((await db.events.get(event.id))!.event).toEqual({ ...event, seq: 7, receivedFrom })
  })
})
