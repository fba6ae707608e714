import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config'
import { DEFAULT_MAIL_SETTINGS } from './mailer'

describe('email settings', () => {
  it('are off by default: no SMTP_URL, the documented defaults', () => {
    expect(loadConfig({}, '/srv').mail).toEqual({ ...DEFAULT_MAIL_SETTINGS, smtpUrl: undefined, statusUrl: undefined })
  })

  it('read SMTP_URL, MAIL_FROM and the MAIL_ settings', () => {
    const mail = loadConfig(
      {
        SMTP_URL: 'smtp://cp:secret@relay.lincoln.example:587',
        MAIL_FROM: 'Lincoln USD Incidents <incidents@lincoln.example>',
        MAIL_RATE_PER_MINUTE: '30',
        MAIL_BATCH_SIZE: '10',
        MAIL_TIME_ZONE: 'America/Chicago',
        MAIL_STATUS_URL: 'https://cp.lincoln.example/status/{incident}',
      },
      '/srv',
    ).mail
    expect(mail).toMatchObject({
      smtpUrl: 'smtp://cp:secret@relay.lincoln.example:587',
      from: 'Lincoln USD Incidents <incidents@lincoln.example>',
      perMinute: 30,
      batchSize: 10,
      timeZone: 'America/Chicago',
    })
  })

  it.each([
    [{ SMTP_URL: 'http://relay.example' }, 'SMTP_URL must start with smtp://'],
    [{ SMTP_URL: 'smtp://relay.example' }, 'MAIL_FROM must be set with SMTP_URL'],
    [{ MAIL_FROM: 'incidents' }, 'MAIL_FROM must be an address'],
    [{ MAIL_FROM: 'A <a@b.example>\r\nBcc: x@evil.example' }, 'MAIL_FROM must be an address'],
    [{ MAIL_RATE_PER_MINUTE: '0' }, 'MAIL_RATE_PER_MINUTE must be a whole number between 1'],
    [{ MAIL_TIME_ZONE: 'Mars/Olympus' }, 'MAIL_TIME_ZONE must be an IANA time zone'],
    [{ MAIL_STATUS_URL: 'javascript:alert(1)' }, 'MAIL_STATUS_URL must start with https://'],
  ])('refuses %j at start, saying what is expected', (env, message) => {
    expect(() => loadConfig(env, '/srv')).toThrow(message)
  })
})
