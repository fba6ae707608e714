/** Page objects: what a responder does, in the words of CONTRACT.md §3. */
import type { Page } from 'playwright-core'

export class IncidentsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Incidents' }).click()
  }

  async declare(title: string, severity: 1 | 2 | 3 | 4): Promise<IncidentPage> {
    await this.page.getByRole('button', { name: 'Declare incident' }).click()
    await this.page.getByLabel('Title').fill(title)
    await this.page.getByLabel('Severity').selectOption(String(severity))
    await this.page.getByRole('button', { name: 'Declare', exact: true }).click()
    await this.page.getByRole('heading', { name: title }).waitFor()
    return new IncidentPage(this.page)
  }
}

export class IncidentPage {
  constructor(readonly page: Page) {}

  get timeline() {
    return this.page.getByRole('list', { name: 'Timeline' })
  }

  async log(text: string): Promise<void> {
    await this.page.getByLabel('Log entry').fill(text)
    await this.page.getByRole('button', { name: 'Add to log' }).click()
    await this.timeline.getByText(text, { exact: true }).waitFor()
  }

  /** Log entry texts as the Timeline shows them, newest first. */
  async entries(): Promise<string[]> {
    return this.timeline.locator('.timeline__item[data-category="action"] .timeline__text').allInnerTexts()
  }
}
