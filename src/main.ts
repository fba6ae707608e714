import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { createAppRouter } from './router'
import { useProfileStore } from './stores/profile'
import { useIncidentsStore } from './stores/incidents'
import { useSyncStore } from './stores/sync'
import './styles/base.css'

async function boot(): Promise<void> {
  const app = createApp(App)
  const pinia = createPinia()
  app.use(pinia)
  // The name decides the first route (welcome or not) and is the clock's node: needed before anything else.
  await useProfileStore().load()
  // Reading and folding every event takes longest: start it, and show the app meanwhile.
  // Routes that show incident data wait for it (router); the list's header and Declare button do not.
  const incidents = useIncidentsStore()
  const loaded = incidents.start()
  const router = createAppRouter({ dataReady: loaded })
  app.use(router)
  app.mount('#app')
  await Promise.all([loaded, router.isReady()])
  // After the list has rendered: the benchmark's cold-start end point.
  requestAnimationFrame(() => performance.mark('app-interactive'))
  // Sync runs beside the UI: the app works the same whether it reaches a server or not.
  // Its code loads once the page has settled, so it never competes with the first screen.
  afterLoadIdle(() => void useSyncStore().start())
}

function afterLoadIdle(run: () => void): void {
  const idle = () => ('requestIdleCallback' in window ? requestIdleCallback(run, { timeout: 1000 }) : setTimeout(run, 200))
  if (document.readyState === 'complete') idle()
  else window.addEventListener('load', idle, { once: true })
}

void boot()
