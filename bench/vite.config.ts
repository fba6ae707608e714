/**
 * The app's own Vite config plus one bench-only file: `blank.html`, a page with
 * nothing but the button the cold-start benchmark waits for, precached by the
 * same service worker (the PWA glob takes every .html). It is the cold-start
 * limit: what the service worker alone costs to open a page offline. If the
 * app ships public/blank.html itself, that one is used instead.
 */
import { existsSync } from 'node:fs'
import { defineConfig, mergeConfig, type ConfigEnv, type Plugin, type UserConfig } from 'vite'
import appConfig from '../vite.config'

export const BLANK_PAGE = [
  '<!doctype html>',
  '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
  '<title>Blank</title></head><body><button type="button">Declare incident</button></body></html>',
].join('\n')

function blankPage(): Plugin {
  return {
    name: 'command-post-bench:blank-page',
    apply: 'build',
    generateBundle() {
      if (!existsSync('public/blank.html')) this.emitFile({ type: 'asset', fileName: 'blank.html', source: BLANK_PAGE })
    },
  }
}

export default defineConfig(async (env) => {
  // The app's config may become a function of the environment; take either form.
  const app = appConfig as UserConfig | ((env: ConfigEnv) => UserConfig | Promise<UserConfig>)
  const base = typeof app === 'function' ? await app(env) : app
  return mergeConfig(base, { plugins: [blankPage()] })
})
