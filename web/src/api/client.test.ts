import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildUrl, configureClient, request, versionOf } from './client'
import { ApiError, ConflictError, UnauthenticatedError, problemFrom } from './problem'

const problem = (status: number, body: Record<string, unknown>): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } })

afterEach(() => {
  vi.unstubAllGlobals()
  configureClient({ csrfToken: () => null, relogin: async () => false })
})

describe('problem+json → errors', () => {
  it('keeps status, code, title, detail and each field error of a 422', () => {
    const error = problemFrom(422, {
      type: 'tag:hotline,2026:problem:invalid_input', title: '输入有误', status: 422,
      detail: '以下字段有误：reply_text、promised_on', code: 'invalid_input',
      invalid_params: [
        { name: 'reply_text', reason: '必填' },
        { name: 'promised_on', reason: '须为日期 YYYY-MM-DD' },
        { name: 'reply_text', reason: '不能超过 4000 个字符' },
        { reason: '没有字段名的被忽略' },
      ],
    })
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 422, code: 'invalid_input', title: '输入有误' })
    expect(error.fieldErrors).toHaveLength(3)
    expect(error.fieldError('reply_text')).toBe('必填；不能超过 4000 个字符')
    expect(error.fieldMap()).toEqual({ reply_text: '必填；不能超过 4000 个字符', promised_on: '须为日期 YYYY-MM-DD' })
    expect(error.fieldError('unit')).toBe('')
  })

  it('a stale If-Match (412) and a race lost in flight (409 concurrent_change) are conflicts', () => {
    expect(problemFrom(412, { code: 'precondition_failed', title: 'If-Match 与工单当前版本不符', detail: 'x' })).toBeInstanceOf(ConflictError)
    const lost = problemFrom(409, { code: 'concurrent_change', title: '工单已被他人修改', detail: 'y' })
    expect(lost).toBeInstanceOf(ConflictError)
    expect(lost.title).toBe('工单已被他人修改')
    const illegal = problemFrom(409, { code: 'illegal_transition', title: '当前状态不允许该操作', detail: 'z' })
    expect(illegal).not.toBeInstanceOf(ConflictError)
  })

  it('401 is its own kind; a body that is not a problem still gets a Chinese message', () => {
    expect(problemFrom(401, { code: 'session_expired', title: '会话已过期', detail: '请重新登录' })).toBeInstanceOf(UnauthenticatedError)
    const gateway = problemFrom(502, null)
    expect(gateway).toMatchObject({ status: 502, code: 'http_502', title: '服务暂不可用，请稍后重试' })
    expect(gateway.detail).toBe(gateway.title)
  })
})

describe('request', () => {
  it('builds query strings with repeated parameters and without empty ones', () => {
    expect(buildUrl('/cases', { status: ['a', 'b'], q: '烧烤', unit: '', page: 2, x: null })).toBe(
      '/api/v1/cases?status=a&status=b&q=%E7%83%A7%E7%83%A4&page=2',
    )
    expect(versionOf('"7"')).toBe(7)
    expect(versionOf(null)).toBeNull()
  })

  it('sends the CSRF token, If-Match and an Idempotency-Key on unsafe requests, not on reads', async () => {
    const fetch = vi.fn(async () => new Response('{"version": 4}', { status: 200, headers: { 'Content-Type': 'application/json', ETag: '"4"' } }))
    vi.stubGlobal('fetch', fetch)
    configureClient({ csrfToken: () => 'tok', relogin: async () => false })
    const answer = await request('POST', '/cases/1/actions', { body: { action: 'close' }, ifMatch: 3, idempotencyKey: 'k1' })
    expect(answer.version).toBe(4)
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    const headers = init.headers as Headers
    expect(url).toBe('/api/v1/cases/1/actions')
    expect(headers.get('X-CSRF-Token')).toBe('tok')
    expect(headers.get('If-Match')).toBe('"3"')
    expect(headers.get('Idempotency-Key')).toBe('k1')
    expect(init.credentials).toBe('same-origin')
    await request('GET', '/cases')
    expect((fetch.mock.calls[1] as unknown as [string, RequestInit])[1].headers).toSatisfy((h: Headers) => !h.has('X-CSRF-Token'))
  })

  it('after a 401 and a re-login, sends the same request again with the same key', async () => {
    const answers = [
      problem(401, { code: 'session_expired', title: '会话已过期', detail: '请重新登录' }),
      new Response('{"number": "1"}', { status: 201, headers: { 'Content-Type': 'application/json' } }),
    ]
    const fetch = vi.fn(async () => answers.shift()!)
    vi.stubGlobal('fetch', fetch)
    let token = 'old'
    const relogin = vi.fn(async () => { token = 'new'; return true })
    configureClient({ csrfToken: () => token, relogin })
    const answer = await request('POST', '/cases', { body: { content: '噪音' }, idempotencyKey: true })
    expect(answer.data).toEqual({ number: '1' })
    expect(relogin).toHaveBeenCalledOnce()
    const keys = fetch.mock.calls.map((call) => ((call as unknown as [string, RequestInit])[1].headers as Headers).get('Idempotency-Key'))
    expect(keys[0]).toBeTruthy()
    expect(keys[1]).toBe(keys[0])
    expect(((fetch.mock.calls[1] as unknown as [string, RequestInit])[1].headers as Headers).get('X-CSRF-Token')).toBe('new')
  })

  it('gives up with the 401 when the re-login is cancelled, and never retries a login call', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => problem(401, { code: 'login_failed', title: '登录失败', detail: '用户名或密码错误' })))
    const relogin = vi.fn(async () => false)
    configureClient({ csrfToken: () => null, relogin })
    await expect(request('GET', '/cases')).rejects.toBeInstanceOf(UnauthenticatedError)
    expect(relogin).toHaveBeenCalledOnce()
    await expect(request('POST', '/auth/session', { body: {}, noRelogin: true })).rejects.toMatchObject({ detail: '用户名或密码错误' })
    expect(relogin).toHaveBeenCalledOnce()
  })

  it('a request that gets no answer is a network error in Chinese', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))
    await expect(request('GET', '/cases')).rejects.toMatchObject({ status: 0, code: 'network_error', title: '网络错误' })
  })
})
