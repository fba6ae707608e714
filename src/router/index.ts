import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useIncidentsStore } from '../stores/incidents'
import { useProfileStore } from '../stores/profile'
import { useSyncStore } from '../stores/sync'
import IncidentsView from '../views/IncidentsView.vue'
import WelcomeView from '../views/WelcomeView.vue'

/** An incident's screen: the one a responder opens most, from the list. */
const incidentScreen = () => import('../views/IncidentView.vue')

/**
 * Load and parse the incident screen's code, and what opening an archived
 * incident needs, before the first tap on the list (main.ts calls this in idle
 * time after the first screen): at 4× CPU the tap waited ~0.5 s for that code
 * before it could fetch anything. Never rejects; a failure is the tap's to retry.
 */
export function warmIncidentScreen(): Promise<void> {
  return Promise.all([incidentScreen(), useIncidentsStore().prepareToOpen()]).then(
    () => {},
    () => {},
  )
}

/** The first screen is in the main bundle; the rest load on first visit (and are precached). */
const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/incidents' },
  { path: '/incidents', name: 'incidents', component: IncidentsView, meta: { title: 'Incidents' } },
  {
    path: '/incidents/new',
    name: 'declare',
    component: () => import('../views/DeclareView.vue'),
    meta: { title: 'Declare incident' },
  },
  {
    path: '/incidents/:id',
    name: 'incident',
    component: incidentScreen,
    props: true,
    meta: { title: 'Incident' },
  },
  {
    path: '/incidents/:id/:tab(roles|changes|updates|tasks|document)',
    name: 'incident-tab',
    component: incidentScreen,
    props: true,
    meta: { title: 'Incident' },
  },
  {
    path: '/runbooks',
    name: 'runbooks',
    component: () => import('../views/RunbooksView.vue'),
    meta: { title: 'Runbooks' },
  },
  {
    path: '/runbooks/:id(.*)',
    name: 'runbook',
    component: () => import('../views/RunbookView.vue'),
    props: true,
    meta: { title: 'Runbook' },
  },
  {
    // Editing and history sit outside /runbooks/ too: an id may hold "/" (network/switch-down/edit would be ambiguous).
    path: '/new/runbook',
    name: 'runbook-new',
    component: () => import('../views/RunbookEditView.vue'),
    meta: { title: 'New runbook' },
  },
  {
    path: '/edit/runbooks/:id(.*)',
    name: 'runbook-edit',
    component: () => import('../views/RunbookEditView.vue'),
    props: true,
    meta: { title: 'Edit runbook' },
  },
  {
    path: '/history/runbooks/:id(.*)',
    name: 'runbook-history',
    component: () => import('../views/RunbookHistoryView.vue'),
    props: true,
    meta: { title: 'Runbook history' },
  },
  {
    // Outside /runbooks/: any runbook id could be "print".
    path: '/print/runbooks',
    name: 'runbooks-print',
    component: () => import('../views/RunbooksPrintView.vue'),
    meta: { title: 'Print all runbooks' },
  },
  {
    path: '/directory/:section(contacts|audiences)?',
    name: 'directory',
    component: () => import('../views/DirectoryView.vue'),
    props: true,
    meta: { title: 'Directory' },
  },
  {
    path: '/settings',
    name: 'settings',
    component: () => import('../views/SettingsView.vue'),
    meta: { title: 'Settings' },
  },
  {
    path: '/join',
    name: 'join',
    component: () => import('../views/JoinView.vue'),
    meta: { title: 'Join a sync server' },
  },
  { path: '/welcome', name: 'welcome', component: WelcomeView, meta: { title: 'Welcome' } },
  { path: '/:pathMatch(.*)*', redirect: '/incidents' },
]

/** Screens that work before this phone's incidents are read: the list shows its header at once. */
const WITHOUT_DATA = new Set<unknown>(['incidents', 'welcome'])
/** Screens of one incident (`:id`). */
const INCIDENT_ROUTES = new Set<unknown>(['incident', 'incident-tab'])

/** `dataReady`: resolves once the incidents store has read this phone's events (main.ts). */
export function createAppRouter(options: { dataReady?: Promise<unknown> } = {}) {
  const router = createRouter({ history: createWebHistory(import.meta.env.BASE_URL), routes })
  router.beforeEach(async (to) => {
    // A join link (`/#/join?token=…`): the token is in the fragment so no server ever sees it.
    // Take it out of the address bar and history at once, store it (so it survives the
    // welcome redirect below), then confirm on /join.
    if (to.hash.startsWith('#/join?')) {
      window.history.replaceState(window.history.state, '', window.location.href.split('#')[0])
      const joined = await useSyncStore()
        .joinFromFragment(to.hash)
        .catch(() => ({ ok: false }))
      return { name: 'join', query: { joined: joined.ok ? '1' : '0' }, replace: true }
    }
    // First run: every event carries a name, so ask for it before anything else.
    const profile = useProfileStore()
    if (!profile.hasName && to.name !== 'welcome') return { name: 'welcome', query: { next: to.fullPath } }
    // An incident page before its events are read would say "not found"; a failed read shows the page as before.
    if (options.dataReady && !WITHOUT_DATA.has(to.name)) await options.dataReady.catch(() => {})
    // An incident known here only by its overview (scoped sync) fetches its log while the screen's code
    // loads, not after; the screen shows the outcome (its own hold() gets the same promise).
    if (INCIDENT_ROUTES.has(to.name) && typeof to.params.id === 'string')
      useIncidentsStore()
        .hold(to.params.id)
        .catch(() => {})
    return true
  })
  router.afterEach((to) => {
    document.title = `${typeof to.meta.title === 'string' ? to.meta.title : 'Command Post'} · Command Post`
  })
  return router
}
