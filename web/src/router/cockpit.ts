// The leaders' cockpit (领导驾驶舱): the page in the shell, the cases behind its numbers, and the
// wall display without the shell (1920 × 1080). Lazy: ECharts comes with these pages only.
import type { RouteRecordRaw } from 'vue-router'

/** Who reads the cockpit: the roles with `read_reports` (docs/roles.md). */
export const COCKPIT_ROLES = ['leader', 'supervisor', 'dispatcher', 'admin']

export const cockpitRoutes: RouteRecordRaw[] = [
  {
    path: 'cockpit',
    name: 'cockpit',
    component: () => import('@/views/cockpit/CockpitView.vue'),
    meta: { title: '领导驾驶舱', roles: COCKPIT_ROLES, menu: true, order: 5 },
  },
  {
    path: 'cockpit/cases',
    name: 'cockpit-cases',
    component: () => import('@/views/cockpit/CockpitCasesView.vue'),
    meta: { title: '驾驶舱 · 工单明细', roles: COCKPIT_ROLES },
  },
]

/** Outside the shell (no menu, no header): spread before it, as the phone pages are. */
export const cockpitWallRoutes: RouteRecordRaw[] = [
  {
    path: '/cockpit/wall',
    name: 'cockpit-wall',
    component: () => import('@/views/cockpit/CockpitWallView.vue'),
    meta: { title: '大屏展示', roles: COCKPIT_ROLES },
  },
]
