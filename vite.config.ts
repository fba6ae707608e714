import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { VitePWA } from 'vite-plugin-pwa'
import { runbooksPlugin } from './build/runbooks/vite-plugin'

export default defineConfig({
  plugins: [
    vue(),
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
          { name: 'Declare incident', short_name: 'Declare', url: '/incidents/new', icons: [{ src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png' }] },
          { name: 'Runbooks', url: '/runbooks', icons: [{ src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png' }] },
        ],
      },
      injectManifest: {
        // No webmanifest here: the plugin adds it itself. No png: see includeAssets.
        globPatterns: ['**/*.{js,css,html,svg,json}'],
      },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: false,
  },
})
