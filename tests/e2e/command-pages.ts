/** Page objects for incident command: the incident's tabs, in the words a responder sees. */
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { IncidentPage } from './pages'

export type Tab = 'Log' | 'Roles' | 'Changes' | 'Updates' | 'Tasks' | 'Document'
export type RoleName = 'Incident commander' | 'Ops' | 'Comms' | 'Planning'

export class IncidentCommandPage extends IncidentPage {
  constructor(page: Page) {
    super(page)
  }

  get header() {
    return this.page.locator('.incident-header')
  }

  async tab(name: Tab): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Incident sections' }).getByRole('link', { name }).click()
    // A section other than the Log loads its code when first shown: busy until then.
    await this.page.locator(`[data-tab="${name.toLowerCase()}"] .incident__panel:not([aria-busy])`).waitFor()
  }

  seat(role: RoleName) {
    return this.page
      .getByRole('list', { name: 'Roles' })
      .getByRole('listitem')
      .filter({ has: this.page.getByRole('heading', { name: new RegExp(`^${role} —`) }) })
  }

  async assign(role: RoleName, person: string): Promise<void> {
    await this.tab('Roles')
    const seat = this.seat(role)
    await seat.getByRole('button', { name: `Assign ${role}` }).click()
    await seat.getByLabel('Person').fill(person)
    await seat.getByRole('button', { name: `Assign ${role}` }).click()
    await seat.getByRole('heading', { name: `${role} — ${person}` }).waitFor()
  }

  /** Hand a role off; returns the drafted briefing as it was before `addition` was appended. */
  async handOff(role: RoleName, person: string, addition: string): Promise<string> {
    await this.tab('Roles')
    const seat = this.seat(role)
    await seat.getByRole('button', { name: `Hand off ${role}` }).click()
    const briefing = seat.getByLabel('Handoff briefing')
    const draft = await briefing.inputValue()
    await briefing.fill(`${draft}\n${addition}`)
    await seat.getByLabel('Person').fill(person)
    await seat.getByRole('button', { name: `Hand off ${role}` }).click()
    await this.seat(role)
      .getByRole('heading', { name: `${role} — ${person}` })
      .waitFor()
    return draft
  }

  /** Record a change; `anyway` confirms past the "Ops is …" warning. Returns the warning, if any. */
  async recordChange(
    system: string,
    what: string,
    revert: string,
    options: { anyway?: boolean } = {},
  ): Promise<string | null> {
    await this.tab('Changes')
    const form = this.page.locator('form.change-form')
    await form.getByLabel('System').fill(system)
    await form.getByLabel('What changed').fill(what)
    await form.getByLabel('How to revert').fill(revert)
    await form.getByRole('button', { name: 'Record change' }).click()
    let warning: string | null = null
    if (options.anyway) {
      const alert = form.getByRole('alert').filter({ hasText: 'Ops is' })
      await alert.waitFor()
      warning = (await alert.innerText()).trim()
      await form.getByRole('button', { name: 'Record anyway' }).click()
    }
    await this.page.getByRole('list', { name: 'Open changes' }).getByText(what).waitFor()
    return warning
  }

  async revertChange(system: string, note: string): Promise<void> {
    await this.tab('Changes')
    const item = this.page.getByRole('list', { name: 'Open changes' }).getByRole('listitem').filter({ hasText: system })
    await item.getByRole('button', { name: `Mark reverted: ${system}` }).click()
    await item.getByLabel('Revert note').fill(note)
    await item.getByRole('button', { name: 'Confirm reverted' }).click()
    await this.page.getByRole('list', { name: 'Reverted changes' }).getByText(note).waitFor()
  }

  async postUpdate(body: string, audience?: string): Promise<void> {
    await this.tab('Updates')
    if (audience) await this.page.getByLabel('Audience').fill(audience)
    await this.page.getByLabel('Update', { exact: true }).fill(body)
    await this.page.getByRole('button', { name: 'Post update' }).click()
    await this.page.getByRole('list', { name: 'Posted updates' }).getByText(body).waitFor()
  }

  async addTask(
    text: string,
    kind: 'followup' | 'bug' | 'handoff' | 'staffing' | 'other',
    owner?: string,
  ): Promise<void> {
    await this.tab('Tasks')
    await this.page.getByLabel('Task', { exact: true }).fill(text)
    await this.page.getByLabel('Kind').selectOption(kind)
    if (owner) await this.page.getByLabel('Owner').fill(owner)
    await this.page.getByRole('button', { name: 'Add task' }).click()
    await this.page.getByRole('list', { name: 'Open tasks' }).getByText(text).waitFor()
  }

  /** Declare a sub-incident from this incident; the page moves to it. */
  async declareSubIncident(title: string, severity: 1 | 2 | 3 | 4): Promise<IncidentCommandPage> {
    await this.tab('Log')
    await this.page.getByRole('link', { name: 'Declare sub-incident' }).click()
    await this.page.getByRole('heading', { name: 'Declare sub-incident' }).waitFor()
    await this.page.getByLabel('Title').fill(title)
    await this.page.getByLabel('Severity').selectOption(String(severity))
    await this.page.getByRole('button', { name: 'Declare', exact: true }).click()
    await this.page.getByRole('heading', { name: title }).waitFor()
    return new IncidentCommandPage(this.page)
  }

  /** Resolve, answering the guard change by change ('revert' or 'keep'). */
  async resolve(decisions: ('revert' | 'keep')[] = [], note?: string): Promise<void> {
    await this.header.getByRole('button', { name: 'Resolve', exact: true }).click()
    const panel = this.page.getByRole('region', { name: 'Resolve this incident' })
    for (let i = 0; i < decisions.length; i++) {
      await panel.getByRole('button', { name: decisions[i] === 'revert' ? 'Revert now' : 'Keep on purpose' }).click()
      const left = decisions.length - i - 1
      await (
        left
          ? panel.getByText(`${left} open change${left > 1 ? 's' : ''} to decide`)
          : panel.getByText('No open changes left to decide.')
      ).waitFor()
    }
    if (note) await panel.getByLabel('Resolution note').fill(note)
    await panel.getByRole('button', { name: 'Resolve incident' }).click()
    await this.header.getByRole('button', { name: 'Reopen' }).waitFor()
  }

  /** The Markdown export as the Document tab shows it. */
  async markdown(): Promise<string> {
    await this.tab('Document')
    await this.page.getByText('Markdown', { exact: true }).click()
    return this.page.getByLabel('Markdown export').inputValue()
  }

  /** The file "Download Markdown" saves. */
  async downloadMarkdown(): Promise<{ name: string; text: string }> {
    await this.tab('Document')
    // A cap, not a speed check: on a loaded machine Chromium can take a while to start a download.
    const downloading = this.page.waitForEvent('download', { timeout: 120_000 })
    await this.page.getByRole('button', { name: 'Download Markdown' }).click()
    // The app's own word that it handed the file to the browser: a missing download then is the browser's.
    await this.page.getByRole('status').filter({ hasText: 'Incident document downloaded.' }).waitFor()
    const download = await downloading
    const path = await download.path()
    return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') }
  }
}
