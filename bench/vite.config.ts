/**
 * The app's own Vite config, as the app builds. The cold-start limit page,
 * `blank.html`, is the app's own public/blank.html: a page with nothing but the
 * button the benchmark waits for, precached by the same service worker (the PWA
 * glob takes every .html).
 */
import { defineConfig, type ConfigEnv, type UserConfig } from 'vite'
import appConfig from '../vite.config'

export default defineConfig(async (env) => {
  // The app's config may become a function of the environment; take either form.
  const app = appConfig as UserConfig | ((env: ConfigEnv) => UserConfig | Promise<UserConfig>)
  return typeof app === 'function' ? await app(env) : app
})
