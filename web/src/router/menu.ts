// The left menu and its keyboard shortcuts, built from the routes' meta (see router/index.ts).

export interface MenuRoute {
  path: string
  meta: {
    title?: string
    roles?: string[]
    menu?: boolean
    shortcut?: string
    order?: number
  }
}

export interface MenuItem {
  path: string
  title: string
  shortcut: string
  order: number
}

/** The pages this role sees in the menu, by `meta.order` then title. */
export function menuFor(routes: readonly MenuRoute[], role: string): MenuItem[] {
  return routes
    .filter((route) => route.meta.menu && route.meta.title && !route.path.includes(':'))
    .filter((route) => !route.meta.roles || route.meta.roles.includes(role))
    .map((route) => ({
      path: route.path,
      title: route.meta.title ?? '',
      shortcut: route.meta.shortcut ?? '',
      order: route.meta.order ?? 100,
    }))
    .sort((a, b) => a.order - b.order || a.title.localeCompare(b.title, 'zh-CN'))
}

export interface KeyPress {
  key: string
  code?: string
  altKey: boolean
  ctrlKey: boolean
  shiftKey: boolean
  metaKey: boolean
}

/** A key press written the way `meta.shortcut` is: `Alt+1`, `Ctrl+Shift+K`. Digits and letters
 * are read from the physical key, so Alt+1 works whatever the keyboard layout or IME. */
export function shortcutOf(event: KeyPress): string {
  const physical = event.code?.match(/^(?:Digit|Key)([0-9A-Z])$/)?.[1]
  const key = physical ?? (event.key.length === 1 ? event.key.toUpperCase() : event.key)
  const parts = [event.ctrlKey && 'Ctrl', event.altKey && 'Alt', event.shiftKey && 'Shift', event.metaKey && 'Meta']
  return [...parts.filter(Boolean), key].join('+')
}
