// First: starts opening a returning phone's database while the rest is evaluated.
import './db/warm-up'
import { createApp, watch } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { createAppRouter, warmIncidentScreen } from './router'
import { afterFirstScreen, markFirstScreenShown, nextTask } from './composables/useFirstScreen'
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
  // A returning phone starts with the name it had last time (the database corrects it below), so
  // its first screen waits for neither the database code nor the database. A phone that has stored
  // nothing (a first visit) shows its welcome screen without loading the database code at all.
  const restored = profile.restoreFromLastStart()
  const stored = restored || (await hasLocalData())
  let loaded: Promise<void>
  if (stored) {
    const reading = profile.load()
    // Without the copy, the name decides the first route (welcome or not): wait for it.
    if (!restored) await reading
    // Reading and folding every event takes longest (it waits for the profile: the clock's node).
    // Routes that show incident data wait for it (router); the list's header and Declare button do not.
    loaded = incidents.start()
  } else {
    incidents.markNothingStored()
    loaded = Promise.resolve()
  }
  const router = createAppRouter({ dataReady: loaded })
  // The first navigation starts here and, unless it waits for data, settles within this task;
  // on a first visit the app then renders in the next: two shorter tasks instead of one long one.
  // (A returning phone's events are being read meanwhile: yielding would let that go first.)
  app.use(router)
  if (!stored) await nextTask()
  app.mount('#app')
  if (restored) {
    // The database disagrees with the copy (its name is gone): ask for it as on a first visit.
    void profile.load().then(
      () => {
        const here = router.currentRoute.value
        if (!profile.hasName && here.name !== 'welcome')
          void router.replace({ name: 'welcome', query: { next: here.fullPath } })
      },
      () => {},
    )
  }
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
  const background = () =>
    afterFirstScreen(() => {
      // A failure here shows on the first save instead (record() opens again).
      incidents.start().catch(() => {})
      usePersistenceStore().start()
      void useSyncStore().start()
      // Then, at the next idle moment, the screen a tap on the list opens.
      afterFirstScreen(() => void warmIncidentScreen())
    })
  if (stored) background()
  else watch(() => profile.hasName, background, { once: true })
}

void boot()
