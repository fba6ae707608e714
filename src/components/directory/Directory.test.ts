// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { incidentWorld } from '../../../tests/fixtures/incident-world'
import { DIRECTORY_ID } from '../../domain/directory'
import { useDirectoryStore } from '../../stores/directory'
import { useIncidentsStore } from '../../stores/incidents'
import CommsPanel from '../comms/CommsPanel.vue'
import DirectoryView from '../../views/DirectoryView.vue'

afterEach(() => {
  useIncidentsStore().stop()
  localStorage.clear()
  document.body.innerHTML = ''
})

describe('the directory on this phone', () => {
  it('adds a contact offline, shows tel: and mailto: links, and lays out the ICS 205A page', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(DirectoryView, {})
    await wrapper.find('button.button--primary').trigger('click')
    await wrapper.find('#contact-name-new').setValue('Metro Fiber NOC')
    await wrapper.find('#contact-phones-new').setValue('24/7: +1 (555) 010-3000')
    await wrapper.find('#contact-email-new').setValue('noc@metrofiber.example')
    await wrapper.find('#contact-notes-new').setValue('circuit ID MF-1234')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(useDirectoryStore().contacts).toHaveLength(1))
    await flushPromises()
    const list = wrapper.find('[aria-label="Contacts"]')
    expect(list.find('a[href="tel:+15550103000"]').text()).toBe('Call 24/7 +1 (555) 010-3000')
    expect(list.find('a[href="mailto:noc@metrofiber.example"]').exists()).toBe(true)
    expect(wrapper.find('.print-205 tbody').text()).toContain('circuit ID MF-1234')
    // Stored as a directory event, like any other: it syncs and stays offline.
    expect(w.store.heldEvents(DIRECTORY_ID).map((e) => e.type)).toEqual(['contact.saved'])
  })

  it.each([
    { section: 'contacts', button: 'Import contacts from CSV', title: 'Import contacts from CSV' },
    { section: 'audiences', button: 'Import addresses from CSV', title: 'Import addresses from CSV' },
  ])('opens the CSV import of $section, whose code loads only then', async ({ section, button, title }) => {
    const w = await incidentWorld()
    if (section === 'audiences') await w.router.push('/directory/audiences')
    const wrapper = w.mount(DirectoryView, section === 'audiences' ? { section } : {})
    expect(wrapper.find('#import-title').exists()).toBe(false)
    const open = wrapper.findAll('button').find((b) => b.text() === button)!
    await open.trigger('click')
    await vi.waitFor(() => expect(wrapper.find('#import-title').text()).toBe(title))
    expect(open.attributes('aria-expanded')).toBe('true')
  })

  it('refuses an address that is not an email, naming the line, and stores nothing', async () => {
    const w = await incidentWorld()
    await w.router.push('/directory/audiences')
    const wrapper = w.mount(DirectoryView, { section: 'audiences' })
    await wrapper.find('button.button--primary').trigger('click')
    await wrapper.find('#audience-name-new').setValue('Principals')
    await wrapper.find('#audience-members-new').setValue('Kim Lee <kim@lincoln.example>\nprincipal')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('#audience-members-new').attributes('aria-invalid')).toBe('true')
    expect(wrapper.text()).toContain('Line 2: “principal” is not an email address')
    expect(w.store.heldEvents(DIRECTORY_ID)).toEqual([])
  })

  it.each([
    { kind: 'contact' as const, section: undefined, list: 'Removed contacts' },
    { kind: 'audience' as const, section: 'audiences', list: 'Removed audiences' },
  ])(
    'brings a removed $kind back, every field as it was, from the list of removed ones',
    async ({ kind, section, list }) => {
      const w = await incidentWorld()
      const id = 'REC0000000000000000000001'
      if (kind === 'contact') {
        await w.record(
          'contact.saved',
          { contactId: id, name: 'Metro Fiber NOC', email: 'noc@metrofiber.example' },
          DIRECTORY_ID,
        )
        await w.record('contact.saved', { contactId: id, removed: true }, DIRECTORY_ID)
      } else {
        await w.record(
          'audience.saved',
          { audienceId: id, name: 'Metro Fiber NOC', members: [{ email: 'noc@metrofiber.example' }] },
          DIRECTORY_ID,
        )
        await w.record('audience.saved', { audienceId: id, removed: true }, DIRECTORY_ID)
      }
      if (section) await w.router.push(`/directory/${section}`)
      const wrapper = w.mount(DirectoryView, section ? { section } : {})
      await flushPromises()
      expect(wrapper.find('summary').text()).toBe(`${list} (1)`)
      const back = wrapper.find(`[aria-label="${list}"] button`)
      expect(back.text()).toBe('Bring back Metro Fiber NOC')
      await back.trigger('click')
      const directory = useDirectoryStore()
      const listed = () => (kind === 'contact' ? directory.contacts : directory.audiences)
      await vi.waitFor(() => expect(listed().map((r) => r.name)).toEqual(['Metro Fiber NOC']))
      const record = kind === 'contact' ? directory.contact(id)! : directory.audience(id)!
      expect(kind === 'contact' ? directory.contact(id)!.email : directory.audience(id)!.members).toEqual(
        kind === 'contact' ? 'noc@metrofiber.example' : [{ email: 'noc@metrofiber.example' }],
      )
      expect(record.removed).toBe(false)
      await flushPromises()
      expect(wrapper.find(`[aria-label="${list}"]`).exists()).toBe(false)
      expect(wrapper.find('[role="status"]').text()).toBe('Metro Fiber NOC is back on every phone.')
    },
  )
})

describe('emailing an update from the Updates tab', () => {
  it('names a directory audience, says how many will get it, and that it waits for the phone to be online', async () => {
    const w = await incidentWorld()
    await w.record(
      'audience.saved',
      { audienceId: 'AUD0000000000000000000001', name: 'Principals', members: [{ email: 'kim@lincoln.example' }] },
      DIRECTORY_ID,
    )
    expect(useDirectoryStore().audiences.map((a) => a.name)).toEqual(['Principals'])
    const wrapper = w.mount(CommsPanel, { incidentId: w.id })
    await wrapper.find(`#update-audience-${w.id}`).setValue('principals')
    expect(wrapper.find(`#update-audience-hint-${w.id}`).text()).toBe('Will be emailed to 1 address in Principals.')
    await wrapper.find('form.composer').trigger('submit')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.updates).toHaveLength(1))
    await flushPromises()
    const update = w.store.incident(w.id)!.updates[0]!
    expect(update).toMatchObject({ audience: 'Principals', audienceId: 'AUD0000000000000000000001' })
    // This phone has joined no server.
    expect(wrapper.find('.email-state').text()).toBe('Email is not set up: this phone syncs with no server.')
    // The server's report arrives later, onto the same folded update: the card follows it.
    await w.record('update.emailed', {
      updateId: update.id,
      audienceId: 'AUD0000000000000000000001',
      audience: 'Principals',
      outcome: 'sent',
      total: 2,
      sent: 1,
      failed: [{ email: 'gone@lincoln.example', answer: '550 5.1.1 No such user' }],
      unknown: [],
    })
    await flushPromises()
    expect(wrapper.find('.email-state').text()).toBe(
      'Sent to 1 of 2 in Principals; 1 failed: gone@lincoln.example (550 5.1.1 No such user)',
    )
    expect(wrapper.find('.email-state--problem').exists()).toBe(true)
  })
})
