// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { h } from 'vue'
import FormField from './FormField.vue'

type Props = { id: string; label: string } & Record<string, unknown>

/** FormField with its own text box, attached so ids resolve. */
function field(props: Props) {
  return mount(FormField, { props, attachTo: document.body })
}

/** What a screen reader reads as the control's description: the texts of its aria-describedby ids. */
function description(input: HTMLElement): string {
  return (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent?.trim() ?? '')
    .join(' | ')
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('FormField', () => {
  it('names the control by its label, with "(optional)" after it', () => {
    const wrapper = field({ id: 'f-location', label: 'Location', optional: true, error: '' })
    const input = wrapper.get('input').element
    const label = wrapper.get('label')
    expect(label.attributes('for')).toBe('f-location')
    expect(input.id).toBe('f-location')
    expect(label.text().replace(/\s+/g, ' ')).toBe('Location (optional)')
    expect(input.getAttribute('aria-invalid')).toBe('false')
  })

  it('says its own words in brackets when optional is a string', () => {
    const wrapper = field({ id: 'f-reason', label: 'Reason', optional: 'kept in the history', unchecked: true })
    expect(wrapper.get('label').text().replace(/\s+/g, ' ')).toBe('Reason (kept in the history)')
  })

  it('marks the control invalid and describes it with the error beside it, in a live alert', () => {
    const wrapper = field({ id: 'f-title', label: 'Title', error: 'Give the incident a title.' })
    const input = wrapper.get('input').element
    expect(input.getAttribute('aria-invalid')).toBe('true')
    expect(wrapper.get('#f-title-error').attributes('role')).toBe('alert')
    expect(description(input)).toBe('Give the incident a title.')
  })

  it('keeps an empty alert in the page before any error, so it is announced when it fills', async () => {
    const wrapper = field({ id: 'f-system', label: 'System', error: '' })
    expect(wrapper.get('#f-system-error').text()).toBe('')
    // Cast: a generic component's props type is not always inferred for setProps (the stub-type compile of adding-an-event.test).
    await wrapper.setProps({ error: 'must not be empty' } as never)
    expect(wrapper.get('#f-system-error').text()).toBe('must not be empty')
    expect(wrapper.get('input').attributes('aria-invalid')).toBe('true')
  })

  it('reads a hint with the control, and has no alert when the field is never checked', () => {
    const wrapper = field({ id: 'f-url', label: 'Server URL', hint: 'Leave empty.', unchecked: true })
    const input = wrapper.get('input').element
    expect(description(input)).toBe('Leave empty.')
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
  })

  it('counts characters typed against the limit, and marks the count once over it', async () => {
    const wrapper = field({ id: 'f-body', label: 'Update', type: 'textarea', limit: 10, modelValue: 'twelve chars' })
    expect(wrapper.get('textarea').attributes('id')).toBe('f-body')
    expect(wrapper.get('.field__count').text().replace(/\s+/g, ' ')).toBe('12 / 10')
    expect(wrapper.get('.field__count').classes()).toContain('over')
    await wrapper.get('textarea').setValue('three')
    expect(wrapper.emitted('update:modelValue')).toEqual([['three']])
  })

  it('gives a number box the number typed, and the text while it is not one', async () => {
    const wrapper = field({ id: 'f-next', label: 'Next update in (min)', type: 'number', modelValue: 30 })
    const input = wrapper.get('input')
    expect(input.attributes('type')).toBe('number')
    expect((input.element as HTMLInputElement).value).toBe('30')
    await input.setValue('15')
    await input.setValue('')
    expect(wrapper.emitted('update:modelValue')).toEqual([[15], ['']])
  })

  it('puts other attributes on its box, and keeps URLs as typed (no autocorrect, no capitals)', () => {
    const wrapper = field({ id: 'f-link', label: 'Paste a join link', type: 'url', placeholder: 'https://…' })
    const input = wrapper.get('input')
    expect(input.attributes()).toMatchObject({
      type: 'url',
      inputmode: 'url',
      placeholder: 'https://…',
      autocapitalize: 'off',
      spellcheck: 'false',
      autocomplete: 'off',
    })
    expect(wrapper.get('.field').attributes('placeholder')).toBeUndefined()
  })

  it('gives a control in its slot the same id, state and description', () => {
    const wrapper = mount(FormField, {
      props: { id: 'f-kind', label: 'Kind', error: 'Pick one.' },
      slots: { default: ({ control }: { control: Record<string, unknown> }) => h('select', control) },
      attachTo: document.body,
    })
    const select = wrapper.get('select').element
    expect(select.id).toBe('f-kind')
    expect(select.getAttribute('aria-invalid')).toBe('true')
    expect(description(select)).toBe('Pick one.')
    expect(wrapper.find('input').exists()).toBe(false)
  })
})
