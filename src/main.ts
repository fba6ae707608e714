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
  void useSyncStore().start()
}

void boot()
