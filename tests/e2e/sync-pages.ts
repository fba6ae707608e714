/** Page objects for sync, in the words of CONTRACT.md §3 (beside pages.ts, which another feature is extending). */
import type { Page } from 'playwright-core'

/** The header's sync indicator (role=status): Offline, Syncing, Synced or Local only, and "N pending". */
export class SyncIndicator {
  constructor(private readonly page: Page) {}

  get locator() {
    return this.page.locator('header').getByRole('status')
  }

  async text(): Promise<string> {
    return (await this.locator.innerText()).trim()
  }

  /** Wait until the indicator's text matches. */
  async waitFor(pattern: RegExp, timeout = 30_000): Promise<void> {
    await this.locator.filter({ hasText: pattern }).waitFor({ timeout })
  }
}

/** Open a join link (`<origin>/#/join?token=…`) as a responder would, and wait for the confirmation. */
export async function openJoinLink(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/#/join?token=${token}`)
  await page.getByRole('heading', { name: 'You joined the sync server' }).waitFor()
}

export class SyncSettingsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Settings' }).click()
    await this.page.getByRole('heading', { name: 'Sync server' }).waitFor()
  }

  async save(serverUrl: string, token: string): Promise<void> {
    await this.page.getByLabel('Server URL').fill(serverUrl)
    await this.page.getByLabel('Access token').fill(token)
    await this.page.getByRole('button', { name: 'Save server settings' }).click()
  }

  async syncNow(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sync now' }).click()
  }

  async leave(): Promise<void> {
    await this.page.getByRole('button', { name: 'Leave server' }).click()
  }

  /** The value shown beside a label in the sync facts ("Waiting to send", "Refused by the server", …). */
  async fact(label: string): Promise<string> {
    const term = this.page.locator('dt').getByText(label, { exact: true })
    return (await this.page.locator('.sync-status__facts div').filter({ has: term }).locator('dd').innerText()).trim()
  }
}
