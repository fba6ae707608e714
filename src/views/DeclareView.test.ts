// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../tests/fixtures/app'
import { leaveWorld, testRouter } from '../../tests/fixtures/incident-world'
import { useIncidentsStore } from '../stores/incidents'
import DeclareView from './DeclareView.vue'

async function setup() {
  const world = await freshApp()
  const router = testRouter()
  await router.push('/incidents/new')
  const wrapper = mount(DeclareView, { global: { plugins: [world.pinia, router] }, attachTo: document.body })
  return { ...world, router, wrapper }
}

afterEach(leaveWorld)

describe('DeclareView', () => {
  it.each([
    ['two zero-width spaces', '\u200B\u200B'],
    ['spaces and a byte-order mark', '  \uFEFF '],
  ])('refuses a title of %s beside the field, and stores nothing', async (_, blank) => {
    const { wrapper, db } = await setup()
    await wrapper.find('#declare-title').setValue(blank)
    await wrapper.find('#declare-severity').setValue('2')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('#declare-title-error').text()).toBe('Give the incident a title: what is broken, where.')
    expect(wrapper.find('#declare-title').attributes('aria-invalid')).toBe('true')
    expect(await db.events.count()).toBe(0)
  })

  it('declares with a visible title, stored NFC-normalised', async () => {
    const { wrapper, router } = await setup()
    await wrapper.find('#declare-title').setValue('Cafe\u0301 Wi-Fi down')
    await wrapper.find('#declare-severity').setValue('3')
    await wrapper.find('form').trigger('submit')
    const store = useIncidentsStore()
    await vi.waitFor(() => expect(router.currentRoute.value.path).not.toBe('/incidents/new'))
    expect(store.incidents.map((s) => s.title)).toEqual(['Caf\u00E9 Wi-Fi down'])
    expect(router.currentRoute.value.path).toBe(`/incidents/${store.incidents[0]!.id}`)
  })
})
