/** Page objects for notifications with the app closed and status links, in the words a responder sees. */
import type { BrowserContext, CDPSession, Page } from 'playwright-core'
import type { BrowserKeys } from '../fixtures/push-receiver'

/** Settings → Notifications. */
export class NotificationSettingsPage {
  constructor(private readonly page: Page) {}

  get section() {
    return this.page.getByRole('region', { name: 'Notifications' })
  }

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Settings' }).click()
    await this.section.waitFor()
  }

  async turnOn(): Promise<void> {
    await this.section.getByRole('button', { name: 'Turn on notifications' }).click()
    const on = this.section.getByRole('status').filter({ hasText: /^On/ })
    const refused = this.section.getByRole('alert').filter({ hasText: /./ })
    await on.or(refused).waitFor()
    if (await refused.isVisible()) throw new Error(`Notifications not turned on: ${await refused.innerText()}`)
  }
}

/**
 * Headless Chromium has no push service: `pushManager.subscribe` is refused
 * ("Registration failed - permission denied") even with the permission
 * granted. This stands in for the browser's side of it: subscribing returns
 * a subscription to `endpoint` with keys the test holds (so it can decrypt
 * what the server sends there). Runs before the app's own scripts.
 */
export async function fakePushService(context: BrowserContext, endpoint: string, keys: BrowserKeys): Promise<void> {
  // A string, not a function: the test runner's transform would add helpers the page does not have.
  const json = JSON.stringify({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } })
  await context.addInitScript(`(() => {
    const fake = ${json};
    let current = null;
    PushManager.prototype.subscribe = async (options) => {
      current = {
        endpoint: fake.endpoint,
        options: { userVisibleOnly: true, applicationServerKey: new Uint8Array(options.applicationServerKey).slice().buffer },
        toJSON: () => ({ endpoint: fake.endpoint, expirationTime: null, keys: fake.keys }),
        unsubscribe: async () => { current = null; return true },
      };
      return current;
    };
    PushManager.prototype.getSubscription = async () => current;
  })()`)
}

/** The page's service worker, driven over the DevTools protocol. */
export class ServiceWorkerDevTools {
  private constructor(
    private readonly cdp: CDPSession,
    private readonly registrationId: string,
    private readonly origin: string,
  ) {}

  static async attach(context: BrowserContext, page: Page): Promise<ServiceWorkerDevTools> {
    const cdp = await context.newCDPSession(page)
    const origin = new URL(page.url()).origin
    const found = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const reg = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(origin))
        if (reg) resolve(reg.registrationId)
      })
    })
    await cdp.send('ServiceWorker.enable')
    return new ServiceWorkerDevTools(cdp, await found, origin)
  }

  /** What a push service would deliver: `data` reaches the worker's `push` event. */
  async deliverPush(data: string): Promise<void> {
    await this.cdp.send('ServiceWorker.deliverPushMessage', {
      origin: this.origin,
      registrationId: this.registrationId,
      data,
    })
  }
}

/** The notifications the service worker shows now (`registration.getNotifications()`). */
export async function shownNotifications(
  page: Page,
): Promise<{ title: string; body: string; tag: string; data: unknown }[]> {
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration()
    return (await reg!.getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      data: n.data as unknown,
    }))
  })
}

/** The Updates tab's status links. */
export class StatusLinksPanel {
  constructor(private readonly page: Page) {}

  get section() {
    return this.page.getByRole('region', { name: 'Status page for stakeholders' })
  }

  /** Makes a link and returns it as shown (once). */
  async make(): Promise<string> {
    await this.section.getByRole('button', { name: 'Make a status link' }).click()
    const field = this.section.getByLabel('New status link')
    const refusal = this.section.getByRole('alert').filter({ hasText: /\S/ })
    // Either the link or the panel's error; the error's words make a failure say why.
    await field.or(refusal).first().waitFor()
    if (await refusal.count()) throw new Error(`Make a status link was refused: ${await refusal.first().textContent()}`)
    return field.inputValue()
  }

  async withdrawFirst(): Promise<void> {
    await this.section
      .getByRole('list', { name: 'Status links' })
      .getByRole('button', { name: /^Withdraw link/ })
      .first()
      .click()
    await this.section.getByRole('status').filter({ hasText: 'Link withdrawn' }).waitFor({ state: 'attached' })
  }
}
