import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import { VitePWA } from 'vite-plugin-pwa'
import { runbooksPlugin } from './build/runbooks/vite-plugin'

const COMPRESSIBLE = /\.(js|css|html|json|svg|webmanifest)$/

/**
 * Writes `x.br` and `x.gz` beside every text file of the build, for the server
 * (@fastify/static `preCompressed`): a phone's first visit downloads a third of
 * the bytes, with no compression work per request. Only where it saves something.
 */
function precompress(): Plugin {
  let outDir = 'dist'
  return {
    name: 'command-post:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
    },
    async writeBundle(_options, bundle) {
      await Promise.all(
        Object.entries(bundle)
          .filter(([name]) => COMPRESSIBLE.test(name))
          .map(async ([name, file]) => {
            const raw = Buffer.from(file.type === 'chunk' ? file.code : file.source)
            if (raw.length < 1024) return
            const path = join(outDir, name)
            const br = brotliCompressSync(raw, {
              params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length },
            })
            const gz = gzipSync(raw, { level: 9 })
            await Promise.all([
              br.length < raw.length ? writeFile(`${path}.br`, br) : undefined,
              gz.length < raw.length ? writeFile(`${path}.gz`, gz) : undefined,
            ])
          }),
      )
    },
  }
}

export default defineConfig({
  plugins: [
    // Every component is <script setup>: the Options API half of Vue's runtime never runs.
    vue({ features: { optionsAPI: false } }),
    precompress(),
    runbooksPlugin(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      // The app asks before it swaps versions (UpdateBanner), and registers itself (useSwUpdate).
      registerType: 'prompt',
      injectRegister: false,
      // PNG icons reach the precache through the manifest and includeAssets only:
      // globPatterns must not match them too (duplicate precache entries).
      includeAssets: ['apple-touch-icon-180x180.png', 'robots.txt'],
      manifest: {
        id: '/',
        name: 'Command Post',
        short_name: 'Command Post',
        description: 'Runbooks and incident command for IT responders, offline first.',
        lang: 'en',
        start_url: '/incidents',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        // Light colours; index.html carries the dark theme-color for the browser UI.
        theme_color: '#f4f6f8',
        background_color: '#f4f6f8',
        categories: ['productivity', 'utilities'],
        icons: [
          { src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/pwa-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/maskable-icon-192x192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/maskable-icon-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        shortcuts: [
          {
            name: 'Declare incident',
            short_name: 'Declare',
            url: '/incidents/new',
            icons: [{ src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png' }],
          },
          {
            name: 'Runbooks',
            url: '/runbooks',
            icons: [{ src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png' }],
          },
        ],
      },
      injectManifest: {
        // No webmanifest here: the plugin adds it itself. No png: see includeAssets.
        globPatterns: ['**/*.{js,css,html,svg,json}'],
        // The status page is for stakeholders' browsers, not part of the app responders install.
        globIgnores: ['status.html', 'assets/stakeholder-page-*'],
      },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    // The app, and the stakeholder status page (/status): a page of its own, so the app's first screen does not grow.
    // Its files are named stakeholder-page-*, a name no module of the app has (the precache leaves them out).
    rollupOptions: {
      input: { index: 'index.html', 'stakeholder-page': 'status.html' },
      output: {
        // Two chunks where the automatic chunking made many small ones: the domain code the first screen shares with
        // lazy chunks and the status page (clocks, ids, the fold), and the database code a returning phone
        // loads as it starts (Dexie, the schema, its tables). Each file was a request through the service
        // worker and a module to instantiate on the main thread, eight of them before the first screen and
        // seven more asked for in the middle of it (0.1–1.4 kB each, most of them). Cold start, alternating
        // runs in one hour: 2.46–2.67× the blank page at 1× CPU against 2.69–3.16× before, and 2.87–3.22× at
        // 4× against 3.30–3.58×; the first screen's script 98.6 → 96.3 kB gzip. A module captured by the
        // first group stays there (priority), so the database group never pulls the fold into its chunk.
        advancedChunks: {
          groups: [
            {
              name: 'shell-common',
              priority: 2,
              test: /src[\\/](domain[\\/](hlc|clock-offset|assert|vocabulary|ids|declaration|people|conflicts|fold|changes|cadence|summary)|db[\\/](name|storage-full))\.ts$/,
            },
            {
              name: 'database',
              priority: 1,
              test: /src[\\/](db[\\/](local|database|events|summaries-upgrade|clock|runbook-parameters|summaries|settings|clock-offset|unreadable|scope)|domain[\\/]scope-window)\.ts$|node_modules[\\/]dexie/,
            },
          ],
        },
      },
    },
    target: 'es2022',
    sourcemap: false,
    // Every browser the app supports understands <link rel=modulepreload> (Safari 16 simply
    // skips the hint): no polyfill in the first bundle.
    modulePreload: { polyfill: false },
  },
})
