import { describe, expect, it } from 'vitest'
import { DANA, KIM, LEE, SAM, incidentScript } from '../../tests/fixtures/incident-script'
import { attribution, loggedByOther, nameKey, peopleSeen, personFromName, sameName, samePerson } from './people'

describe('peopleSeen', () => {
  it('lists actors, role assignees and task owners across incidents, once each, by name', () => {
    const a = incidentScript({}, { by: DANA })
    a.add('log.entry', { text: 'hi', kind: 'note' }, SAM)
    a.add('role.assigned', { role: 'ops', person: { name: 'Pat' } })
    const b = incidentScript({}, { by: KIM })
    b.add('task.added', { taskId: 'TASK000001', text: 'call vendor', kind: 'followup', owner: 'Ravi' })
    b.add('role.assigned', { role: 'comms', person: { id: LEE.id, name: 'Lee' } }, KIM)
    const people = peopleSeen([...a.events, ...b.events])
    expect(people.map((p) => p.name)).toEqual(['Dana', 'Kim', 'Lee', 'Pat', 'Ravi', 'Sam'])
    expect(people.find((p) => p.name === 'Lee')!.id).toBe(LEE.id)
    expect(people.find((p) => p.name === 'Pat')!.id).toBeUndefined()
  })

  it('merges a typed name into the person with an id, case-insensitively', () => {
    const s = incidentScript()
    s.add('role.assigned', { role: 'ops', person: { name: 'sam ' } })
    s.add('log.entry', { text: 'on it', kind: 'action' }, SAM)
    expect(peopleSeen(s.events)).toEqual([
      { id: DANA.id, name: 'Dana', lastSeenAt: s.events[1]!.at },
      { id: SAM.id, name: 'Sam', lastSeenAt: s.events[2]!.at },
    ])
  })

  it('keeps the newest name of a device', () => {
    const s = incidentScript()
    s.add('log.entry', { text: 'renamed', kind: 'note' }, { id: DANA.id, name: 'Dana R.' })
    expect(peopleSeen(s.events).map((p) => p.name)).toEqual(['Dana R.'])
    // Order of arrival does not matter: the later `at` wins.
    expect(peopleSeen([...s.events].reverse()).map((p) => p.name)).toEqual(['Dana R.'])
  })

  it('returns nothing for no events', () => {
    expect(peopleSeen([])).toEqual([])
  })
})

describe('personFromName', () => {
  const seen = [{ id: SAM.id, name: 'Sam' }, { name: 'Pat' }]
  it('picks a seen person, with their id, whatever the case', () => {
    expect(personFromName('  sam ', seen)).toEqual({ id: SAM.id, name: 'Sam' })
    expect(personFromName('PAT', seen)).toEqual({ name: 'Pat' })
  })
  it('makes a name-only person for someone new', () => {
    expect(personFromName(' Jordan ', seen)).toEqual({ name: 'Jordan' })
  })
})

describe('samePerson', () => {
  it('decides by id when both have one, whatever the names', () => {
    expect(samePerson({ id: SAM.id, name: 'Sam' }, { id: SAM.id, name: 'Samuel' })).toBe(true)
    // Two devices whose responders share a name are two people.
    expect(samePerson({ id: SAM.id, name: 'Sam' }, { id: LEE.id, name: 'Sam' })).toBe(false)
  })

  it('decides by trimmed, case-insensitive name when either has no id', () => {
    expect(samePerson({ id: SAM.id, name: 'Sam' }, { name: ' sam ' })).toBe(true)
    expect(samePerson({ name: 'PAT' }, { id: LEE.id, name: 'pat' })).toBe(true)
    expect(samePerson({ name: 'Pat' }, { name: 'Patricia' })).toBe(false)
  })

  it('is symmetric', () => {
    const pairs = [
      [{ id: SAM.id, name: 'Sam' }, { name: 'sam' }],
      [
        { id: SAM.id, name: 'Sam' },
        { id: LEE.id, name: 'Sam' },
      ],
      [{ name: 'Kim' }, { name: 'Dana' }],
    ] as const
    for (const [a, b] of pairs) expect(samePerson(a, b)).toBe(samePerson(b, a))
  })
})

describe('sameName and nameKey', () => {
  it('compare names trimmed and case-insensitively', () => {
    expect(nameKey('  Dana R. ')).toBe('dana r.')
    expect(sameName('Dana', ' DANA')).toBe(true)
    expect(sameName('Dana', 'Dan')).toBe(false)
  })
})

describe('attribution: who an event is by', () => {
  const event = (sender?: string) => ({
    actor: { id: 'dev-sam', name: 'Sam' },
    ...(sender !== undefined && { receivedFrom: { tokenId: 2, name: sender } }),
  })

  it('says "logged by ‹sender› for ‹actor›" when another person sent it', () => {
    expect(attribution(event('Dana'))).toBe('logged by Dana for Sam')
    expect(loggedByOther(event('Dana'))).toBe('Dana')
  })

  it('names the actor alone when the sender is the actor (by sameName) or unknown', () => {
    expect(attribution(event('sam '))).toBe('Sam')
    expect(attribution(event())).toBe('Sam')
    expect(loggedByOther(event('SAM'))).toBeNull()
  })
})
