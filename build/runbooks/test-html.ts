/**
 * Test helper: parses compiled HTML into a DOM (happy-dom) so assertions look at
 * elements and attributes as a browser sees them, not at substrings.
 */
import { Window } from 'happy-dom'

const window = new Window()

/** The HTML as a fragment (a `<template>`: nothing in it runs). */
export function parseFragment(html: string): DocumentFragment {
  const template = window.document.createElement('template')
  template.innerHTML = html
  return template.content as unknown as DocumentFragment
}

const DANGEROUS_TAGS = new Set([
  'script',
  'style',
  'iframe',
  'object',
  'embed',
  'form',
  'input',
  'svg',
  'math',
  'base',
  'meta',
  'link',
  'frame',
  'frameset',
  'template',
  'textarea',
  'select',
])
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'cite', 'poster', 'background', 'xlink:href'])
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel'])

/** Everything in `html` a browser could execute, or that could restyle or submit the page; empty when safe. */
export function executableFindings(html: string): string[] {
  const findings: string[] = []
  for (const element of Array.from(parseFragment(html).querySelectorAll('*'))) {
    const tag = element.tagName.toLowerCase()
    if (DANGEROUS_TAGS.has(tag)) findings.push(`<${tag}>`)
    for (const { name, value } of Array.from(element.attributes)) {
      if (name.startsWith('on') || name === 'style' || name === 'srcset' || name === 'formaction')
        findings.push(`<${tag} ${name}>`)
      // Browsers ignore whitespace and control characters inside a scheme (`java\tscript:`).
      const compact = Array.from(value)
        .filter((char) => char.charCodeAt(0) > 0x20 && char.charCodeAt(0) !== 0x7f)
        .join('')
      if (/^(javascript|vbscript|data):/i.test(compact)) findings.push(`<${tag} ${name}="${value}">`)
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact)?.[1]?.toLowerCase()
      if (URL_ATTRIBUTES.has(name) && scheme && !SAFE_SCHEMES.has(scheme)) findings.push(`<${tag} ${name}="${value}">`)
      if (URL_ATTRIBUTES.has(name) && compact.startsWith('//')) findings.push(`<${tag} ${name}="${value}">`)
    }
  }
  return findings
}
