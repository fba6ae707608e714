/**
 * A runbook's compiled HTML made fit for the printed binder ("Print all
 * runbooks"), where many runbooks share one document:
 *  - ids (heading anchors, step text ids) get a per-runbook prefix, and so do
 *    the `#…` links and `aria-describedby` that point at them: two runbooks
 *    both have `#check-the-uplink` and `cp-step-0`;
 *  - headings go one level down (the runbook's title is the section's h2);
 *  - step buttons become plain boxes to tick with a pen, and Copy buttons go:
 *    nothing on paper (or in the preview) is a control that does nothing;
 *  - table regions are named after the runbook too ("Table, Switch down"):
 *    a screen reader lists many of them in one document.
 *
 * Needs a DOM (`document`): the browser, or happy-dom in tests.
 */

const ID_ATTRIBUTES = ['id', 'aria-describedby', 'aria-labelledby'] as const

/**
 * `html` (a compiled, sanitised runbook page) with ids prefixed by `prefix-`,
 * headings demoted, controls made static, and table regions named with `title`.
 */
export function binderHtml(html: string, prefix: string, title: string, doc: Document = document): string {
  const template = doc.createElement('template')
  template.innerHTML = html
  const root = template.content
  for (const element of Array.from(root.querySelectorAll('*'))) {
    for (const name of ID_ATTRIBUTES) {
      const value = element.getAttribute(name)
      if (value)
        element.setAttribute(
          name,
          value
            .split(/\s+/)
            .map((id) => `${prefix}-${id}`)
            .join(' '),
        )
    }
    const href = element.getAttribute('href')
    if (element.tagName === 'A' && href?.startsWith('#') && href.length > 1)
      element.setAttribute('href', `#${prefix}-${href.slice(1)}`)
  }
  for (const heading of Array.from(root.querySelectorAll('h1, h2, h3, h4, h5, h6'))) {
    const level = Math.min(6, Math.max(3, Number(heading.tagName.slice(1)) + 1))
    const demoted = doc.createElement(`h${level}`)
    for (const { name, value } of Array.from(heading.attributes)) demoted.setAttribute(name, value)
    demoted.append(...Array.from(heading.childNodes))
    heading.replaceWith(demoted)
  }
  for (const button of Array.from(root.querySelectorAll('button.step-toggle'))) {
    const box = doc.createElement('span')
    box.className = 'step-box'
    box.setAttribute('aria-hidden', 'true')
    button.replaceWith(box)
  }
  for (const button of Array.from(root.querySelectorAll('button.copy-code'))) button.remove()
  for (const region of Array.from(root.querySelectorAll('.table-scroll[aria-label]')))
    region.setAttribute('aria-label', `${region.getAttribute('aria-label') ?? 'Table'}, ${title}`)
  return template.innerHTML
}
