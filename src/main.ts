import { createApp, watch } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { createAppRouter } from './router'
import { afterFirstScreen, markFirstScreenShown, nextTask } from './composables/first-screen'
import { hasLocalData } from './db/load'
import { useProfileStore } from './stores/profile'
import { useIncidentsStore } from './stores/incidents'
import { usePersistenceStore } from './stores/persistence'
import { useSyncStore } from './stores/sync'
import './styles/base.css'

async function boot(): Promise<void> {
  const app = createApp(App)
  const pinia = createPinia()
  app.use(pinia)
  const profile = useProfileStore()
  const incidents = useIncidentsStore()
  // A phone that has stored nothing (a first visit) shows its welcome screen at once, without
  // loading the database code: that comes with the first save.
  const stored = await hasLocalData()
  let loaded: Promise<void>
  if (stored) {
    // The name decides the first route (welcome or not) and is the clock's node: needed before anything else.
    await profile.load()
    // Reading and folding every event takes longest: start it, and show the app meanwhile.
    // Routes that show incident data wait for it (router); the list's header and Declare button do not.
    loaded = incidents.start()
  } else {
    incidents.markNothingStored()
    loaded = Promise.resolve()
  }
  const router = createAppRouter({ dataReady: loaded })
  // The first navigation starts here and, unless it waits for data, settles within this task;
  // the app then renders once, in the next. Two shorter tasks instead of one long one.
  app.use(router)
  await nextTask()
  app.mount('#app')
  await Promise.all([loaded, router.isReady()])
  requestAnimationFrame(() => {
    // After the first route has rendered: the benchmark's cold-start end point.
    performance.mark('app-interactive')
    markFirstScreenShown()
  })
  // Sync runs beside the UI: the app works the same whether it reaches a server or not.
  // Its code loads after the first screen, so it never competes with it.
  // A first visit has nothing to read or send: that waits until the responder has saved a name
  // (a join link starts sync itself: router).
  const background = () => afterFirstScreen(() => {
    // A failure here shows on the first save instead (record() opens again).
    incidents.start().catch(() => {})
    usePersistenceStore().start()
    void useSyncStore().start()
  })
  if (stored) background()
  else watch(() => profile.hasName, background, { once: true })
}

void boot()
