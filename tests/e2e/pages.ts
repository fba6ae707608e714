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

  /** Type into the log field without adding the entry (a draft). */
  async type(text: string): Promise<void> {
    await this.page.getByLabel('Log entry').fill(text)
  }

  /** What the log field holds now. */
  async draft(): Promise<string> {
    return this.page.getByLabel('Log entry').inputValue()
  }

  /** The incident's id, from the address (/incidents/<id>). */
  id(): string {
    const match = /\/incidents\/([^/?#]+)/.exec(this.page.url())
    if (!match) throw new Error(`not on an incident page: ${this.page.url()}`)
    return match[1]!
  }

  /** Log entry texts as the Timeline shows them, newest first. */
  async entries(): Promise<string[]> {
    return this.timeline.locator('.timeline__item[data-category="action"] .timeline__text').allInnerTexts()
  }
}

/** The installable app around every page: update banner, install button, storage status. */
export class AppShell {
  constructor(readonly page: Page) {}

  /** The banner's live region (itself without a box: the banner inside is fixed above the navigation). */
  get updateBanner() {
    return this.page.getByRole('status').filter({ hasText: 'Update available' })
  }

  get updateReloadButton() {
    return this.updateBanner.getByRole('button', { name: 'Reload' })
  }

  get installButton() {
    return this.page.getByRole('button', { name: 'Install app' })
  }

  /** Accept the waiting version; resolves once the page has reloaded. */
  /** Another tab switched to the new version while this one holds unsaved input. */
  get updateReadyBanner() {
    return this.page.getByRole('status').filter({ hasText: 'Update ready — reload when you are done' })
  }

  /** "Reload" on the "Update ready" banner: the person is done typing. */
  async reloadWhenDone(): Promise<void> {
    const reloaded = this.page.waitForEvent('load')
    await this.updateReadyBanner.getByRole('button', { name: 'Reload' }).click()
    await reloaded
  }

  async reloadForUpdate(): Promise<void> {
    const reloaded = this.page.waitForEvent('load')
    await this.updateReloadButton.click()
    await reloaded
  }

  get storageStatus() {
    return this.page.getByRole('region', { name: 'Storage on this phone' })
  }
}
