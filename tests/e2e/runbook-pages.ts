/** Page objects for runbooks, in the words of CONTRACT.md §3 and docs/CONTRACT-EXTENSIONS.md (beside pages.ts). */
import type { Page } from 'playwright-core'

/** The runbooks list: search, favourites, and "pick for an incident" mode. */
export class RunbooksPage {
  constructor(readonly page: Page) {}

  /** Open it from the bottom navigation. */
  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runbooks' }).click()
    await this.page.getByRole('heading', { name: 'Runbooks', level: 1 }).waitFor()
  }

  get search() {
    return this.page.getByLabel('Search runbooks')
  }

  get offlineNote() {
    return this.page.locator('.runbook-offline')
  }

  get banner() {
    return this.page.locator('.runbook-banner')
  }

  /** Type a query and wait for the results list. */
  async searchFor(query: string): Promise<string[]> {
    await this.search.fill(query)
    const results = this.page.getByRole('list', { name: 'Search results' })
    await this.page
      .getByRole('status')
      .filter({ hasText: `“${query}”` })
      .waitFor()
    return results.locator('.runbook-item__title').allInnerTexts()
  }

  async openRunbook(title: string): Promise<RunbookPage> {
    await this.page.getByRole('link', { name: title, exact: true }).click()
    await this.page.getByRole('heading', { name: title, level: 1 }).waitFor()
    const runbook = new RunbookPage(this.page)
    await runbook.step(1).waitFor()
    return runbook
  }
}

/** One runbook: its checklist and, when opened from an incident, the banner naming it. */
export class RunbookPage {
  constructor(readonly page: Page) {}

  /** The toggle of step `n`, counted from 1 as people do ("Step 6 done"). */
  step(n: number) {
    return this.page.getByRole('button', { name: `Step ${n} done`, exact: true })
  }

  async isDone(n: number): Promise<boolean> {
    return (await this.step(n).getAttribute('aria-pressed')) === 'true'
  }

  /** Tick step `n` and wait until it shows as done (stored on this phone). */
  async tick(n: number): Promise<void> {
    await this.step(n).click()
    await this.page.locator(`button.step-toggle[data-step="${n - 1}"][aria-pressed="true"]`).waitFor()
  }

  /** The text of step `n` as the runbook shows it. */
  async stepText(n: number): Promise<string> {
    return (await this.page.locator(`#cp-step-${n - 1}`).innerText()).trim()
  }

  get banner() {
    return this.page.locator('.runbook-banner')
  }

  /** Type a parameter's value (its field is labelled by the parameter's name) and leave the field, which keeps it. */
  async fillParameter(name: string, value: string): Promise<void> {
    const field = this.page.getByLabel(name, { exact: true })
    await field.fill(value)
    await field.blur()
  }

  /** The code block whose text starts with `start`, as shown (parameters filled in). */
  codeBlock(start: string) {
    return this.page
      .locator('.runbook-content .code-block')
      .filter({ has: this.page.locator('pre', { hasText: start }) })
  }

  /** Follow the banner back to the incident the steps are logged to. */
  async backToIncident(title: string): Promise<void> {
    await this.banner.getByRole('link', { name: title }).click()
    await this.page.getByRole('heading', { name: title, level: 1 }).waitFor()
  }
}

/** "Print all runbooks": the binder of every runbook, one document with a contents list. */
export class RunbookBinderPage {
  constructor(readonly page: Page) {}

  /** From the runbooks list, open the binder and wait until every runbook is in. */
  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Print all runbooks' }).click()
    await this.page.getByRole('heading', { name: 'Runbooks', level: 1 }).waitFor()
    await this.page
      .getByRole('status')
      .filter({ hasText: /runbooks? ready to print/ })
      .waitFor()
  }

  get contents() {
    return this.page.getByRole('navigation', { name: 'Contents' })
  }

  /** The runbook sections, by their numbered titles ("1. Account compromise"). */
  sectionTitles(): Promise<string[]> {
    return this.page.locator('section.binder__runbook > h2').allInnerTexts()
  }
}
