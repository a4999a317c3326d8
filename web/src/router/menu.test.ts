import { describe, expect, it } from 'vitest'
import { menuFor, shortcutOf } from './menu'

const routes = [
  { path: '/cases', meta: { title: '工单查询', menu: true, shortcut: 'Alt+5', order: 50 } },
  { path: '/intake', meta: { title: '登记', menu: true, roles: ['operator'], shortcut: 'Alt+1', order: 10 } },
  { path: '/cases/:number', meta: { title: '工单详情', menu: true } },
  { path: '/login', meta: { title: '登录' } },
  { path: '/dispatch', meta: { title: '派遣', menu: true, roles: ['dispatcher'], order: 20 } },
]

describe('menu', () => {
  it('lists the pages the role may open, in order, without detail pages', () => {
    expect(menuFor(routes, 'operator').map((m) => m.path)).toEqual(['/intake', '/cases'])
    expect(menuFor(routes, 'leader')).toEqual([{ path: '/cases', title: '工单查询', shortcut: 'Alt+5', order: 50 }])
  })

  it('reads shortcuts from the physical key', () => {
    const none = { altKey: false, ctrlKey: false, shiftKey: false, metaKey: false }
    expect(shortcutOf({ ...none, altKey: true, key: '¡', code: 'Digit1' })).toBe('Alt+1')
    expect(shortcutOf({ ...none, ctrlKey: true, shiftKey: true, key: 'k', code: 'KeyK' })).toBe('Ctrl+Shift+K')
    expect(shortcutOf({ ...none, key: 'Enter', code: 'Enter' })).toBe('Enter')
  })
})
