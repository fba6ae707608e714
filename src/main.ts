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
  const profile = useProfileStore()
  await profile.load()
  app.use(createAppRouter())
  await useIncidentsStore().start()
  // Sync runs beside the UI: the app works the same whether it reaches a server or not.
  void useSyncStore().start()
  app.mount('#app')
}

void boot()
