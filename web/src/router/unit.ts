// The units in the field (issue 19): the handler's inbox and work page, the co-unit's cases and
// the inspector's queue at the desk (shell children, spread by router/index.ts), and the phone
// pages, a route group of their own under `/m` with a layout made for one thumb.
import type { RouteRecordRaw } from 'vue-router'

/** Desk pages: children of the shell, with the meta the menu and the guard read. */
export const unitRoutes: RouteRecordRaw[] = [
  {
    path: 'unit',
    name: 'unit-inbox',
    component: () => import('@/views/unit/UnitInboxView.vue'),
    meta: { title: '本单位待办', roles: ['handler'], menu: true, shortcut: 'Alt+7', order: 12 },
  },
  {
    path: 'unit/cases/:number',
    name: 'unit-case',
    component: () => import('@/views/unit/UnitCaseView.vue'),
    meta: { title: '办理工单', roles: ['handler', 'inspector', 'dispatcher'] },
  },
  {
    path: 'inspect',
    name: 'inspect',
    component: () => import('@/views/unit/InspectView.vue'),
    meta: { title: '待核查', roles: ['inspector', 'dispatcher'], menu: true, shortcut: 'Alt+8', order: 35 },
  },
]

/** The phone pages: their own layout, no menu; 375 px wide, touch, nothing wider than the screen.
 * No `roles` here: the guard's refusal is the desk's 404 page; a phone page offers only what the
 * case view's `allowed_actions` allows, and shows its own 未找到 for a case out of scope. */
export const phoneRoutes: RouteRecordRaw[] = [
  {
    path: '/m',
    component: () => import('@/layouts/PhoneLayout.vue'),
    children: [
      {
        path: '',
        name: 'phone-inbox',
        component: () => import('@/views/phone/PhoneInboxView.vue'),
        meta: { title: '待办' },
      },
      {
        path: 'cases/:number',
        name: 'phone-case',
        component: () => import('@/views/phone/PhoneCaseView.vue'),
        meta: { title: '工单' },
      },
      {
        path: 'cases/:number/reply',
        name: 'phone-reply',
        component: () => import('@/views/phone/PhoneReplyView.vue'),
        meta: { title: '办结答复' },
      },
      {
        path: 'cases/:number/return',
        name: 'phone-return',
        component: () => import('@/views/phone/PhoneReturnView.vue'),
        meta: { title: '退单' },
      },
      {
        path: 'cases/:number/verify',
        name: 'phone-verify',
        component: () => import('@/views/phone/PhoneVerifyView.vue'),
        meta: { title: '现场核查' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'phone-not-found',
        component: () => import('@/views/phone/PhoneNotFoundView.vue'),
        meta: { title: '未找到' },
      },
    ],
  },
]
