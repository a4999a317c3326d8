// Where each role starts its day.
import type { RouteLocationRaw } from 'vue-router'

/** A phone's screen (the width at which the desk pages turn to one column). */
export function isPhoneScreen(): boolean {
  return typeof window !== 'undefined' && window.matchMedia?.('(max-width: 768px)').matches === true
}

/** The role's home; people who work on the street (handlers, inspectors) start at the phone
 * pages when they log in on a phone. */
export function homeFor(role: string, phone = isPhoneScreen()): RouteLocationRaw {
  if (phone && (role === 'handler' || role === 'inspector')) return { path: '/m' }
  switch (role) {
    case 'operator':
      return { path: '/intake' }
    case 'dispatcher':
      return { path: '/dispatch' }
    case 'handler':
      return { path: '/unit' }
    case 'inspector':
      return { path: '/inspect' }
    default:
      return { path: '/cases' }
  }
}

/** Every role code (domain/roles.py). */
export const ROLES = ['operator', 'dispatcher', 'handler', 'inspector', 'supervisor', 'leader', 'admin'] as const

/** Where a login can lead: the page asked for, else each role's home, each place once. */
export function placesAfterLogin(redirect: unknown): string[] {
  const asked = safeRedirect(redirect)
  if (asked) return [asked]
  return [...new Set(ROLES.map((role) => (homeFor(role) as { path: string }).path))]
}

/** A `redirect` query value that is safe to follow: a path inside the app, never another site. */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return null
  if (value.startsWith('/login') || value.includes('\\')) return null
  return value
}
