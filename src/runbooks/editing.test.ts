import { describe, expect, it } from 'vitest'
import { insertMarkdown } from './editing'

/** The text with the selection shown as «…». */
function shown(edit: { text: string; selectionStart: number; selectionEnd: number }): string {
  const { text, selectionStart: s, selectionEnd: e } = edit
  return `${text.slice(0, s)}«${text.slice(s, e)}»${text.slice(e)}`
}

describe('insertMarkdown', () => {
  it('inserts a heading on a line of its own, the placeholder selected', () => {
    expect(shown(insertMarkdown('', 0, 0, 'heading'))).toBe('## «Heading»')
    expect(shown(insertMarkdown('Intro', 5, 5, 'heading'))).toBe('Intro\n## «Heading»')
    expect(shown(insertMarkdown('ab', 1, 1, 'heading'))).toBe('a\n## «Heading»\nb')
  })

  it('makes the selected text a task-list step', () => {
    expect(shown(insertMarkdown('Check power\n', 0, 11, 'step'))).toBe('- [ ] «Check power»\n')
    expect(shown(insertMarkdown('x\n', 2, 2, 'step'))).toBe('x\n- [ ] «Step»')
  })

  it('fences a code block around the selection', () => {
    expect(shown(insertMarkdown('Run:\nping x\nThen', 5, 11, 'code'))).toBe('Run:\n```\n«ping x»\n```\nThen')
    expect(shown(insertMarkdown('', 0, 0, 'code'))).toBe('```\n«command»\n```')
  })

  it('makes a link inline, keeping the text around it', () => {
    expect(shown(insertMarkdown('See the wiki now', 8, 12, 'link'))).toBe('See the [«wiki»](https://) now')
    expect(shown(insertMarkdown('a', 1, 1, 'link'))).toBe('a[«link text»](https://)')
  })

  it('accepts a backwards selection and clamps offsets outside the text', () => {
    expect(shown(insertMarkdown('abc', 3, 0, 'link'))).toBe('[«abc»](https://)')
    expect(shown(insertMarkdown('abc', 10, 20, 'link'))).toBe('abc[«link text»](https://)')
    expect(shown(insertMarkdown('abc', -5, 1, 'link'))).toBe('[«a»](https://)bc')
  })
})
