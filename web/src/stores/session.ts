// Who is logged in: the browser session (cookie `hotline_session`, HttpOnly) as the server
// describes it in GET /api/v1/auth/session. The CSRF token lives here, in memory only.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, configureClient, request } from '@/api/client'
import { ApiError, type UnauthenticatedError } from '@/api/problem'
import type { Schemas } from '@/api/types'

export type SessionInfo = Schemas['SessionOut']

const SESSION = '/auth/session'

export const useSessionStore = defineStore('session', () => {
  const session = ref<SessionInfo | null>(null)
  /** Whether GET /auth/session has answered once since the page loaded. */
  const checked = ref(false)
  /** Set while the re-login dialog is open: why the session ended, and who must log in. */
  const reloginReason = ref<string | null>(null)
  let reloginWaiters: ((done: boolean) => void)[] = []

  const loggedIn = computed(() => session.value !== null)
  const role = computed(() => session.value?.role ?? '')
  const displayName = computed(() => session.value?.display_name || session.value?.user || '')
  const permissions = computed(() => new Set(session.value?.permissions ?? []))

  /** Whether the role may do this (a Permission or lifecycle Action code of domain/roles.py). */
  function can(permission: string): boolean {
    return permissions.value.has(permission)
  }

  /** Ask the server who we are (on page load); a 401 just means "not logged in". */
  async function load(): Promise<void> {
    try {
      session.value = await api.get<SessionInfo>(SESSION, undefined, { noRelogin: true })
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error
      session.value = null
    } finally {
      checked.value = true
    }
  }

  async function login(name: string, password: string): Promise<void> {
    const answer = await request<SessionInfo>('POST', SESSION, { body: { name, password }, noRelogin: true })
    session.value = answer.data
    checked.value = true
    finishRelogin(true)
  }

  async function logout(): Promise<void> {
    try {
      await api.del(SESSION, { noRelogin: true })
    } finally {
      session.value = null
    }
  }

  /** Open the re-login dialog and wait for it; several failing requests share one dialog. */
  function relogin(error: UnauthenticatedError): Promise<boolean> {
    if (!session.value) return Promise.resolve(false)
    reloginReason.value = error.code === 'session_expired' ? '长时间未操作，登录已过期' : '登录已失效'
    return new Promise((resolve) => reloginWaiters.push(resolve))
  }

  function finishRelogin(done: boolean): void {
    reloginReason.value = null
    const waiters = reloginWaiters
    reloginWaiters = []
    for (const resolve of waiters) resolve(done)
  }

  /** The dialog was closed without logging in: the waiting requests fail, the page stays. */
  function cancelRelogin(): void {
    finishRelogin(false)
  }

  configureClient({ csrfToken: () => session.value?.csrf_token ?? null, relogin })

  return {
    session, checked, reloginReason, loggedIn, role, displayName, permissions,
    can, load, login, logout, cancelRelogin,
  }
})
