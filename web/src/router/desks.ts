// The centre's desks (话务员登记, 回访, 派遣) and the standard answers (知识库) page: routes spread
// into the shell's children by router/index.ts, with the meta the menu and the guard read.
import type { RouteRecordRaw } from 'vue-router'

export const deskRoutes: RouteRecordRaw[] = [
  {
    path: 'intake',
    name: 'intake',
    component: () => import('@/views/desks/IntakeView.vue'),
    meta: { title: '来电登记', roles: ['operator', 'dispatcher'], menu: true, shortcut: 'Alt+1', order: 10 },
  },
  {
    path: 'intake/mine',
    name: 'intake-mine',
    component: () => import('@/views/desks/MyCasesView.vue'),
    meta: { title: '我登记的工单', roles: ['operator', 'dispatcher'], menu: true, shortcut: 'Alt+2', order: 15 },
  },
  {
    path: 'callbacks',
    name: 'callbacks',
    component: () => import('@/views/desks/CallbackDeskView.vue'),
    meta: { title: '回访', roles: ['operator', 'dispatcher'], menu: true, shortcut: 'Alt+3', order: 20 },
  },
  {
    path: 'dispatch',
    name: 'dispatch',
    component: () => import('@/views/desks/DispatchDeskView.vue'),
    meta: { title: '派遣审批', roles: ['dispatcher', 'leader'], menu: true, shortcut: 'Alt+4', order: 30 },
  },
  {
    path: 'answers',
    name: 'answers',
    component: () => import('@/views/desks/StandardAnswersView.vue'),
    meta: { title: '标准答复', roles: ['supervisor', 'admin'], menu: true, shortcut: 'Alt+6', order: 40 },
  },
]
