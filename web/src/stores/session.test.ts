import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { request } from '@/api/client'
import { UnauthenticatedError } from '@/api/problem'
import { useSessionStore } from './session'

const SESSION = {
  user: 'disp', display_name: '王调度', role: 'dispatcher', role_label: '派遣员', unit: null, unit_name: null,
  district: null, district_name: null, permissions: ['dispatch', 'read_case'],
  idle_expires_at: '2026-11-24T02:30:00+00:00', expires_at: '2026-11-24T14:00:00+00:00', csrf_token: 'tok-1',
}
const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' } })
const expired = (): Response => json(401, { code: 'session_expired', title: '会话已过期', detail: '请重新登录' })

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => vi.unstubAllGlobals())

describe('session store', () => {
  it('a 401 on page load means logged out, not an error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(401, { code: 'unauthenticated', title: '未认证', detail: '请登录' })))
    const session = useSessionStore()
    await session.load()
    expect(session).toMatchObject({ checked: true, loggedIn: false, role: '' })
  })

  it('knows the role, the name people see and the permissions', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, SESSION)))
    const session = useSessionStore()
    await session.load()
    expect(session.displayName).toBe('王调度')
    expect(session.can('dispatch')).toBe(true)
    expect(session.can('reveal_personal_data')).toBe(false)
  })

  it('two requests failing at once share one re-login, then both go through with the new token', async () => {
    const answers: Response[] = [json(200, SESSION), expired(), expired(), json(200, { ...SESSION, csrf_token: 'tok-2' }), json(200, { n: 1 }), json(200, { n: 2 })]
    const fetch = vi.fn(async () => answers.shift()!)
    vi.stubGlobal('fetch', fetch)
    const session = useSessionStore()
    await session.load()
    const first = request('POST', '/a', { body: {} })
    const second = request('POST', '/b', { body: {} })
    await vi.waitFor(() => expect(session.reloginReason).toBe('长时间未操作，登录已过期'))
    await session.login('disp', 'secret')
    expect((await first).data).toEqual({ n: 1 })
    expect((await second).data).toEqual({ n: 2 })
    expect(session.reloginReason).toBeNull()
    const retried = fetch.mock.calls.slice(4).map((call) => ((call as unknown as [string, RequestInit])[1].headers as Headers).get('X-CSRF-Token'))
    expect(retried).toEqual(['tok-2', 'tok-2'])
  })

  it('giving up the re-login fails the waiting request', async () => {
    const answers: Response[] = [json(200, SESSION), expired()]
    vi.stubGlobal('fetch', vi.fn(async () => answers.shift()!))
    const session = useSessionStore()
    await session.load()
    const waiting = request('GET', '/cases')
    await vi.waitFor(() => expect(session.reloginReason).not.toBeNull())
    session.cancelRelogin()
    await expect(waiting).rejects.toBeInstanceOf(UnauthenticatedError)
  })
})
