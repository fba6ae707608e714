import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { payloadSchemas } from '../domain/events'
import { isRunbookId, runbookIdFromPath } from './ids'

describe('runbook ids', () => {
  it('are the path under runbooks/ without .md, lowercased, slashes kept', () => {
    expect(runbookIdFromPath('switch-down.md')).toBe('switch-down')
    expect(runbookIdFromPath('Network/Switch-Down.md')).toBe('network/switch-down')
    expect(runbookIdFromPath('network\\wifi\\WiFi_Auth.MD')).toBe('network/wifi/wifi_auth')
    expect(runbookIdFromPath('./a/./b.md')).toBe('a/b')
    expect(runbookIdFromPath('phones & bells (v2).md')).toBe('phones---bells--v2-')
    expect(runbookIdFromPath('école.md')).toBe('ecole')
  })

  it('refuse paths that climb out or are empty', () => {
    expect(runbookIdFromPath('../secret.md')).toBeNull()
    expect(runbookIdFromPath('a/../../b.md')).toBeNull()
    expect(runbookIdFromPath('.md')).toBeNull()
    expect(runbookIdFromPath('')).toBeNull()
    expect(runbookIdFromPath(`${'x'.repeat(201)}.md`)).toBeNull()
  })

  it('isRunbookId rejects traversal and malformed ids', () => {
    for (const good of ['switch-down', 'network/switch-down', 'runbooks/node/_index', 'v1.2'])
      expect(isRunbookId(good), good).toBe(true)
    for (const bad of ['', '../x', 'a/../b', 'a//b', '/a', 'a/', '.', 'a b', 'a?b', 'a#b', '%2e%2e'])
      expect(isRunbookId(bad), bad).toBe(false)
  })

  it('are accepted by the log.entry schema of the domain', () => {
    for (const id of ['switch-down', 'network/switch-down', 'runbooks/prometheus-operator/_index']) {
      const result = v.safeParse(payloadSchemas['log.entry'], {
        text: 'Step done',
        kind: 'action',
        runbook: { id, step: 0 },
      })
      expect(result.success, id).toBe(true)
    }
  })
})
