// @vitest-environment happy-dom
import { defineComponent, h, nextTick, ref } from 'vue'
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { rowAt, useVirtualList, type VirtualList } from './useVirtualList'

afterEach(() => {
  document.body.innerHTML = ''
})

function harness(count: number, estimate = 100, keep?: () => number[]) {
  const n = ref(count)
  let api!: VirtualList
  const wrapper = mount(
    defineComponent({
      setup() {
        const list = ref<HTMLElement | null>(null)
        api = useVirtualList({ list, count: n, keyOf: (i) => `row-${i}`, estimate, overscan: 2, keep })
        return () => h('ol', { ref: list }, [])
      },
    }),
    { attachTo: document.body },
  )
  return { n, api: () => api, wrapper }
}

describe('rowAt', () => {
  it('finds the row under a position; past the end, the row count', () => {
    const offsets = [0, 10, 30, 60]
    expect(rowAt(offsets, 0)).toBe(0)
    expect(rowAt(offsets, 9)).toBe(0)
    expect(rowAt(offsets, 10)).toBe(1)
    expect(rowAt(offsets, 45)).toBe(2)
    expect(rowAt(offsets, 1000)).toBe(3)
    expect(rowAt([0], 50)).toBe(0)
  })
})

describe('useVirtualList', () => {
  it('renders the viewport plus overscan and pads for the rest', () => {
    const { api } = harness(10_000)
    const v = api()
    const visible = Math.floor(window.innerHeight / 100) // the row under the bottom edge
    expect(v.start.value).toBe(0)
    expect(v.end.value).toBe(visible + 1 + 2)
    expect(v.padTop.value).toBe(0)
    expect(v.padBottom.value).toBe((10_000 - v.end.value) * 100)
  })

  it('never runs past a short list', async () => {
    const { api, n } = harness(3)
    expect(api().end.value).toBe(3)
    expect(api().padBottom.value).toBe(0)
    n.value = 0
    await nextTick()
    expect(api().start.value).toBe(0)
    expect(api().end.value).toBe(0)
  })

  it('follows the page scroll: the rows under the viewport, padding above them', async () => {
    const { api, wrapper } = harness(1000)
    const list = wrapper.element as HTMLElement
    // The list's top scrolled 5,000 px above the viewport.
    list.getBoundingClientRect = () => ({
      top: -5000,
      bottom: 0,
      left: 0,
      right: 0,
      width: 0,
      height: 0,
      x: 0,
      y: -5000,
      toJSON: () => ({}),
    })
    api().update()
    await nextTick()
    expect(api().start.value).toBe(50 - 2)
    expect(api().padTop.value).toBe(48 * 100)
    expect(api().padTop.value + (api().end.value - api().start.value) * 100 + api().padBottom.value).toBe(1000 * 100)
  })

  it('ignores zero heights (not laid out) and stops observing removed rows', () => {
    const { api } = harness(10)
    const el = document.createElement('li')
    document.body.append(el)
    api().measure('row-0', el)
    expect(el.dataset.virtualKey).toBe('row-0')
    api().measure('row-0', null)
    // Still the estimate: nothing measured a real height.
    expect(api().padBottom.value + (api().end.value - api().start.value) * 100).toBe(1000)
  })

  it('keeps chosen rows rendered outside the window, with room for the rows skipped before them', () => {
    const { api } = harness(1000, 100, () => [500])
    const rows = api().rows.value
    const end = api().end.value
    expect(rows.map((r) => r.index)).toEqual([...Array.from({ length: end }, (_, i) => i), 500])
    expect(rows[rows.length - 1]!.skipBefore).toBe((500 - end) * 100)
    expect(api().padBottom.value).toBe(499 * 100)
    expect(rows.slice(0, -1).every((r) => r.skipBefore === 0)).toBe(true)
  })
})
