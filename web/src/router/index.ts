// The workbench's routes.
//
// Route meta convention — every page sets:
//   meta: { title: string; roles?: string[]; menu?: boolean; shortcut?: string; order?: number }
//   - title: the Chinese page title (browser tab, menu entry, header);
//   - roles: role codes allowed to open the page (domain/roles.py); absent = every logged-in role.
//     Another role typing the URL sees the 404 page, like a case outside its scope;
//   - menu: true to list the page in the left menu (pages with a path parameter never are);
//   - shortcut: a key chord that opens it from anywhere, shown in the menu: `Alt+1` … `Alt+9`;
//   - order: menu position (smaller first; desks 10–40, case lists 50–60, others 100).
//   A page registers by being a child of the shell: desk pages go into `deskRoutes`
//   (router/desks.ts), which is spread into the shell's children below.
//   `meta.public: true` marks the one page that needs no login.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from '@/stores/session'
import LoginView from '@/views/LoginView.vue'
import { cockpitRoutes, cockpitWallRoutes } from './cockpit'
import { deskRoutes } from './desks'
import { homeFor, safeRedirect } from './home'
import { phoneRoutes, unitRoutes } from './unit'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    roles?: string[]
    menu?: boolean
    shortcut?: string
    order?: number
    public?: boolean
  }
}

const APP_NAME = '城管热线工作台'

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { title: '登录', public: true } },
  ...phoneRoutes, // before the shell: its catch-all would take /m/...
  ...cockpitWallRoutes, // likewise /cockpit/wall, which has no shell
  {
    path: '/',
    component: () => import('@/layouts/ShellLayout.vue'),
    children: [
      // `/` goes to the role's home. The guard below does it, after the session is known: a
      // `redirect` here would run before the guard, when the role is not loaded yet.
      { path: '', name: 'home', children: [] },
      {
        path: 'cases',
        name: 'cases',
        component: () => import('@/views/cases/CaseListView.vue'),
        meta: { title: '工单查询', menu: true, shortcut: 'Alt+5', order: 50 },
      },
      {
        path: 'cases/:number',
        name: 'case',
        component: () => import('@/views/cases/CaseView.vue'),
        meta: { title: '工单详情' },
      },
      ...deskRoutes,
      ...cockpitRoutes,
      ...unitRoutes,
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/NotFoundView.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const session = useSessionStore()
  // Server unreachable: treat as logged out; the login page then says what went wrong.
  if (!session.checked) await session.load().catch(() => undefined)
  if (to.meta.public) {
    if (session.loggedIn && to.name === 'login') return safeRedirect(to.query.redirect) ?? homeFor(session.role)
    return true
  }
  if (!session.loggedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  if (to.name === 'home') return homeFor(session.role)
  if (to.meta.roles && !to.meta.roles.includes(session.role)) {
    return { name: 'not-found', params: { pathMatch: to.path.slice(1).split('/') }, query: to.query, hash: to.hash }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · ${APP_NAME}` : APP_NAME
})
