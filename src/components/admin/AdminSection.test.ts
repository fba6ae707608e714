// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it, vi } from 'vitest'
import type { AdminToken } from '../../sync/admin-api'
import type { FetchLike } from '../../sync/api'
import { useAdminStore } from '../../stores/admin'
import { useSyncStore } from '../../stores/sync'
import AdminSection from './AdminSection.vue'

const at = (h: number) => new Date(Date.UTC(2026, 11, 1, h)).toISOString()

/** The admin routes of docs/CONTRACT-EXTENSIONS.md, in memory, behind fetch(). */
class FakeAdminServer {
  admin = true
  /** When set, every admin call fails this way. */
  down: 'network' | null = null
  readonly posts: { path: string; body: unknown }[] = []
  tokens: AdminToken[] = [
    {
      id: 1,
      name: 'Ada',
      createdAt: at(8),
      lastUsedAt: at(9),
      revokedAt: null,
      readOnly: false,
      admin: true,
      wipe: false,
      devices: [],
    },
    {
      id: 2,
      name: 'Lee',
      createdAt: at(8),
      lastUsedAt: at(10),
      revokedAt: null,
      readOnly: false,
      admin: false,
      wipe: false,
      devices: [{ actorId: 'dev-lee', actorName: 'Lee K.', events: 12, lastAt: at(10) }],
    },
    {
      id: 3,
      name: 'Kim',
      createdAt: at(7),
      lastUsedAt: null,
      revokedAt: at(8),
      readOnly: false,
      admin: false,
      wipe: false,
      devices: [],
    },
  ]
  audit = [
    { at: at(8), actorTokenId: null as number | null, actorName: 'command line', action: 'revoke', target: 'Kim' },
  ]

  fetch: FetchLike = async (input, init = {}) => {
    const path = new URL(input, 'http://app.test').pathname.replace(/^\/api\//, '')
    if (this.down) throw new TypeError('Failed to fetch')
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
    if (path === 'me') return json(200, { name: 'Ada', readOnly: false, admin: this.admin })
    if (!this.admin) return json(403, { error: { code: 'forbidden', message: 'admins only' } })
    if (init.method !== 'POST') {
      if (path === 'admin/tokens') return json(200, { tokens: this.tokens })
      if (path === 'admin/audit') return json(200, { actions: this.audit })
      return json(404, { error: { code: 'not_found', message: path } })
    }
    const body = JSON.parse(String(init.body)) as { name: string; readOnly?: boolean; wipe?: boolean }
    this.posts.push({ path, body })
    const active = this.tokens.filter((t) => t.name === body.name && t.revokedAt === null)
    if (path === 'admin/tokens') {
      this.tokens.push({ ...this.tokens[1]!, id: 9, name: body.name, devices: [], lastUsedAt: null })
      return json(200, {
        name: body.name,
        token: 't'.repeat(43),
        link: `http://app.test/#/join?token=${'t'.repeat(43)}`,
      })
    }
    if (active.length === 0)
      return json(404, { error: { code: 'not_found', message: `no active token named "${body.name}"` } })
    for (const t of active) {
      if (path === 'admin/tokens/read-only') t.readOnly = body.readOnly!
      else Object.assign(t, { revokedAt: at(11), wipe: body.wipe ?? false })
    }
    this.audit.unshift({
      at: at(11),
      actorTokenId: 1,
      actorName: 'Ada',
      action: body.wipe ? 'revoke_wipe' : 'revoke',
      target: body.name,
    })
    return json(200, { changed: active.length })
  }
}

async function mountSection(server = new FakeAdminServer()) {
  const pinia = createPinia()
  setActivePinia(pinia)
  useAdminStore().setFetch(server.fetch)
  // A joined phone: the engine would set these from the saved settings.
  useSyncStore().token = 'admin-token'
  const wrapper = mount(AdminSection, { global: { plugins: [pinia] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, server }
}

const button = (w: Awaited<ReturnType<typeof mountSection>>['wrapper'], name: RegExp) => {
  const found = w.findAll('button').find((b) => name.test(b.text()))
  if (!found)
    throw new Error(
      `no button ${name} in ${w
        .findAll('button')
        .map((b) => JSON.stringify(b.text()))
        .join(', ')}`,
    )
  return found
}

describe('AdminSection', () => {
  it('shows nothing to a token that is not an admin’s', async () => {
    const server = new FakeAdminServer()
    server.admin = false
    const { wrapper } = await mountSection(server)
    expect(wrapper.find('#admin-heading').exists()).toBe(false)
    expect(wrapper.text()).toBe('')
  })

  it('lists people with their devices, revoked access and the audit trail', async () => {
    const { wrapper } = await mountSection()
    expect(wrapper.get('#admin-heading').text()).toBe('Team')
    const people = wrapper.findAll('.admin-person')
    expect(people.map((p) => p.get('h4').text())).toEqual(['Ada (you)', 'Lee'])
    expect(people[1]!.get('[aria-label="Devices of Lee"]').text()).toMatch(/^Lee K\. · 12 entries · last seen/)
    expect(people[0]!.text()).toContain('Admin')
    expect(wrapper.get('.admin__revoked').text()).toContain('Kim · revoked')
    expect(wrapper.get('.admin-audit').text()).toContain('command line revoked Kim')
    // Every action button names its person for a screen reader.
    expect(button(wrapper, /Revoke and wipe… Lee’s phone/).exists()).toBe(true)
    expect(button(wrapper, /Make read-only: Lee/).exists()).toBe(true)
  })

  it('revokes and wipes only after a confirmation naming the person, then says so', async () => {
    const { wrapper, server } = await mountSection()
    await button(wrapper, /Revoke and wipe… Lee/).trigger('click')
    const confirm = wrapper.get('.admin-confirm')
    expect(confirm.attributes('role')).toBe('group')
    expect(confirm.text()).toContain('Revoke Lee’s access and wipe their phone?')
    expect(confirm.text()).toContain('Entries it has not sent yet are lost')
    expect(document.activeElement?.textContent).toContain('Revoke Lee’s access and wipe their phone?')
    expect(server.posts).toEqual([])
    await button(wrapper, /Cancel/).trigger('click')
    expect(wrapper.find('.admin-confirm').exists()).toBe(false)

    await button(wrapper, /Revoke and wipe… Lee/).trigger('click')
    await button(wrapper, /^Revoke and wipe Lee’s phone$/).trigger('click')
    await flushPromises()
    expect(server.posts).toEqual([{ path: 'admin/tokens/revoke', body: { name: 'Lee', wipe: true } }])
    expect(wrapper.get('[role="status"]').text()).toBe(
      'Lee’s access was revoked; their phone deletes its data at its next contact.',
    )
    expect(wrapper.findAll('.admin-person').map((p) => p.get('h4').text())).toEqual(['Ada (you)'])
    expect(wrapper.get('.admin__revoked').text()).toContain('Lee · revoked')
    expect(wrapper.get('.admin-audit').text()).toContain('Ada revoked and wiped the phone of Lee')
  })

  it('makes a person read-only, and allows sending again', async () => {
    const { wrapper, server } = await mountSection()
    await button(wrapper, /Make read-only: Lee/).trigger('click')
    await flushPromises()
    expect(server.posts.at(-1)).toEqual({ path: 'admin/tokens/read-only', body: { name: 'Lee', readOnly: true } })
    expect(wrapper.findAll('.admin-person')[1]!.text()).toContain('Read-only')
    await button(wrapper, /Allow sending: Lee/).trigger('click')
    await flushPromises()
    expect(server.posts.at(-1)).toEqual({ path: 'admin/tokens/read-only', body: { name: 'Lee', readOnly: false } })
  })

  it('says clearly why a change failed, beside the person, and keeps the list', async () => {
    const { wrapper, server } = await mountSection()
    server.tokens[1]!.revokedAt = at(10) // revoked meanwhile on the server's command line
    await button(wrapper, /Revoke… Lee/).trigger('click')
    await button(wrapper, /^Revoke Lee’s access$/).trigger('click')
    await flushPromises()
    expect(wrapper.get('.admin-person [role="alert"]').text()).toBe('The server refused: no active token named "Lee"')
    server.down = 'network'
    await button(wrapper, /Revoke Lee’s access/).trigger('click')
    await flushPromises()
    expect(wrapper.get('.admin-person [role="alert"]').text()).toMatch(
      /^The server cannot be reached\. Nothing was changed/,
    )
    expect(wrapper.findAll('.admin-person')).toHaveLength(2)
  })

  it('issues a join link, shown once with a QR code, and refuses a blank name beside the field', async () => {
    const { wrapper, server } = await mountSection()
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('#admin-issue-name-error').text()).toBe('Enter the person’s name.')
    expect(wrapper.get('#admin-issue-name').attributes('aria-invalid')).toBe('true')
    await wrapper.get('#admin-issue-name').setValue('  Pat ')
    await wrapper.findAll('input[type="checkbox"]')[0]!.setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(server.posts[0]).toEqual({ path: 'admin/tokens', body: { name: 'Pat', readOnly: true, admin: false } })
    expect(wrapper.get('#admin-issued-heading').text()).toBe('Join link for Pat')
    expect((wrapper.get('#admin-issued-link').element as HTMLInputElement).value).toMatch(/#\/join\?token=t{43}$/)
    await vi.waitFor(() => expect(wrapper.find('img.admin-issued__qr').exists()).toBe(true))
    expect(wrapper.get('img.admin-issued__qr').attributes('alt')).toBe('QR code of Pat’s join link')
    expect(wrapper.get('img.admin-issued__qr').attributes('src')).toMatch(/^data:image\/svg\+xml/)
  })
})
