/**
 * The runbook editor's toolbar as pure text edits: insert Markdown at the
 * cursor (or around the selected text) and say what to select afterwards,
 * so the person types over the placeholder. Offsets are UTF-16 indexes, as
 * `textarea.selectionStart` gives them.
 */

/** What a toolbar button inserts. */
export type Insertion = 'heading' | 'step' | 'code' | 'link'

/** The new text and the range to select in it (the placeholder, or the text that was selected). */
export interface Edit {
  text: string
  selectionStart: number
  selectionEnd: number
}

const PLACEHOLDER: Record<Insertion, string> = {
  heading: 'Heading',
  step: 'Step',
  code: 'command',
  link: 'link text',
}

/**
 * Inserts `kind` into `text` at `start`..`end` (the selection, which becomes
 * its content). Block kinds (heading, step, code block) start on a line of
 * their own and end their line; a link is inline. Offsets outside the text
 * are clamped.
 */
export function insertMarkdown(text: string, start: number, end: number, kind: Insertion): Edit {
  const from = Math.max(0, Math.min(start, end, text.length))
  const to = Math.min(text.length, Math.max(start, end, from))
  const selected = text.slice(from, to)
  const inner = selected || PLACEHOLDER[kind]
  const before = text.slice(0, from)
  const after = text.slice(to)
  let open: string
  let close: string
  if (kind === 'link') {
    open = '['
    close = '](https://)'
  } else {
    const lineStart = before === '' || before.endsWith('\n') ? '' : '\n'
    const lineEnd = after === '' || after.startsWith('\n') ? '' : '\n'
    if (kind === 'heading') [open, close] = [`${lineStart}## `, lineEnd]
    else if (kind === 'step') [open, close] = [`${lineStart}- [ ] `, lineEnd]
    else [open, close] = [`${lineStart}\`\`\`\n`, `\n\`\`\`${lineEnd}`]
  }
  const selectionStart = before.length + open.length
  return {
    text: before + open + inner + close + after,
    selectionStart,
    selectionEnd: selectionStart + inner.length,
  }
}
