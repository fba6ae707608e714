import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import type { Actor } from './events'
import { foldIncident } from './fold'
import { formatHlc } from './hlc'
import { newId } from './ids'
import { samePerson } from './people'
import { dueNotice, noticeReaches, noticesForEvent, readPushMessage, reminderView, type PushNotice } from './push'

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0)
const MIN = 60_000
const DANA: Actor = { id: 'dana-phone', name: 'Dana' }
const SAM: Actor = { id: 'sam-phone', name: 'Sam' }
const at = (ms: number, actor: Actor = DANA) => ({
  actor,
  hlc: formatHlc({ ms, counter: 0, node: actor.id }),
  at: new Date(ms).toISOString(),
})

describe('push notices', () => {
  it('carry the incident’s title and link only, never the log, the task’s text or the update’s body', () => {
    const id = newId()
    const taskId = newId()
    const events = [
      makeEvent(
        'incident.declared',
        { title: 'Ransomware', severity: 1, summary: 'SECRET' },
        { incidentId: id, ...at(T0) },
      ),
      makeEvent('log.entry', { text: 'SECRET password', kind: 'action' }, { incidentId: id, ...at(T0 + 1) }),
      makeEvent(
        'task.added',
        { taskId, text: 'SECRET task', kind: 'other', owner: 'Sam' },
        { incidentId: id, ...at(T0 + 2) },
      ),
    ]
    const state = foldIncident(events)!
    const notices = events.flatMap((e) => noticesForEvent(e, state))
    expect(notices.map((n) => n.topic)).toEqual(['major-declared', 'task-assigned'])
    expect(JSON.stringify(notices.map((n) => n.message))).not.toContain('SECRET')
    for (const n of notices) expect(readPushMessage(n.message)).toEqual(n.message)
  })

  it('fall due once per moment, for the Comms holder, and not once resolved or long past', () => {
    const id = newId()
    const declared = makeEvent('incident.declared', { title: 'Phones', severity: 3 }, { incidentId: id, ...at(T0) })
    const comms = makeEvent('role.assigned', { role: 'comms', person: SAM }, { incidentId: id, ...at(T0 + 1) })
    const view = reminderView(foldIncident([declared, comms])!)
    expect(dueNotice(view, T0 + 30 * MIN - 1, 60 * MIN)).toBeNull()
    const notice = dueNotice(view, T0 + 30 * MIN, 60 * MIN)!
    expect(notice).toMatchObject({ topic: 'update-due', key: `due:${id}:${T0 + 30 * MIN}`, to: SAM })
    expect(dueNotice(view, T0 + 91 * MIN, 60 * MIN)).toBeNull()
    const resolved = makeEvent('incident.status', { status: 'resolved' }, { incidentId: id, ...at(T0 + 2) })
    expect(dueNotice(reminderView(foldIncident([declared, comms, resolved])!), T0 + 30 * MIN, 60 * MIN)).toBeNull()
  })

  it('reach whoever chose the topic and is the person, never who caused it', () => {
    const notice: PushNotice = {
      topic: 'major-declared',
      to: 'everyone',
      except: DANA,
      key: 'k',
      message: {
        topic: 'major-declared',
        incidentId: 'INC00000001',
        title: 'SEV1 declared: x',
        url: '/incidents/INC00000001',
      },
    }
    const is = (me: Actor) => (p: { id?: string; name: string }) => samePerson(p, me)
    expect(noticeReaches(notice, is(SAM), ['major-declared'])).toBe(true)
    expect(noticeReaches(notice, is(SAM), ['update-due'])).toBe(false)
    expect(noticeReaches(notice, is(DANA), ['major-declared'])).toBe(false)
  })

  it('refuse messages that would open anything but an incident of this app', () => {
    const ok = { topic: 'update-due', incidentId: 'INC00000001', title: 't', url: '/incidents/INC00000001/updates' }
    expect(readPushMessage(ok)).toEqual(ok)
    for (const url of [
      '//evil.example/incidents/x',
      'https://evil.example/',
      '/incidents/INC00000001/../../x',
      'javascript:alert(1)',
    ])
      expect(readPushMessage({ ...ok, url })).toBeNull()
  })
})
