import { describe, expect, it } from 'vitest'
import { previewContacts, previewMembers } from './directory-import'

describe('importing contacts from CSV', () => {
  it('finds the columns by header and previews each row, refusing bad ones with the field and line', () => {
    const csv = [
      'Name,Role,Company,Mobile Phone,Work Phone,Email Address,Notes,Type',
      'Dr. Ana Ruiz,Superintendent,Lincoln USD,+1 555 010 2000,,ana@lincoln.example,,',
      '"Metro Fiber NOC",Circuit support,Metro Fiber,,"555-010-3000 ext. 2",noc@metrofiber.example,"circuit ID MF-1234, 24/7",Vendor',
      'No Email Person,Custodian,,555 010 4000,,not-an-email,,',
      ',,,,,,,',
      'Bad Phone,,,call the office,,,,',
    ].join('\r\n')
    const preview = previewContacts(csv)
    expect(preview.columns).toMatchObject({
      Name: 'name',
      'Email Address': 'email',
      'Mobile Phone': 'phone',
      Company: 'organization',
    })
    expect(preview.rows).toEqual([
      {
        line: 2,
        ok: true,
        value: {
          name: 'Dr. Ana Ruiz',
          kind: 'person',
          role: 'Superintendent',
          organization: 'Lincoln USD',
          phones: [{ label: 'Mobile Phone', number: '+1 555 010 2000' }],
          email: 'ana@lincoln.example',
          notes: '',
        },
      },
      expect.objectContaining({
        line: 3,
        ok: true,
        value: expect.objectContaining({ kind: 'vendor', notes: 'circuit ID MF-1234, 24/7' }),
      }),
      { line: 4, ok: false, reason: 'email: must be an email address' },
      { line: 6, ok: false, reason: 'phone: must be a phone number' },
    ])
  })

  it('joins first and last names, and says when there is no name column', () => {
    const rows = previewContacts('First Name,Last Name,Email\nKim,Lee,kim@x.example').rows
    expect(rows[0]).toMatchObject({ ok: true, value: { name: 'Kim Lee' } })
    expect(previewContacts('Email\nkim@x.example').error).toMatch(/No name column/)
  })
})

describe('importing audience members from CSV', () => {
  it('reads an SIS guardian export: email required, audience column kept, bad rows named', () => {
    const csv =
      'Student,Guardian Name,Guardian Email,Group\nA,Pat Doe,pat@home.example,Families — Lincoln High\nB,Sam,,Families — Lincoln High\nC,Lee,lee(at)home,x'
    const preview = previewMembers(csv)
    expect(preview.rows).toEqual([
      { line: 2, ok: true, value: { email: 'pat@home.example', name: 'Pat Doe', audience: 'Families — Lincoln High' } },
      { line: 3, ok: false, reason: 'email: missing' },
      { line: 4, ok: false, reason: 'email: must be an email address' },
    ])
  })

  it('needs an email column, and reports an unclosed quote', () => {
    expect(previewMembers('Name\nKim').error).toMatch(/No email column/)
    expect(previewMembers('Email\n"kim@x.example').error).toMatch(/Line 2: a quoted field is not closed/)
  })
})
