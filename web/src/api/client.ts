// The one way the workbench talks to the server: typed fetch over /api/v1.
//
// - The browser session cookie goes along (same origin); unsafe methods carry X-CSRF-Token.
// - JSON in and out; every failure is thrown as an ApiError (see problem.ts).
// - A 401 while someone is working opens the re-login dialog; after they log in again the same
//   request is sent again, so the page (and a half-typed form) stays as it was.
// - Optimistic concurrency: `ifMatch` sends the case's version; a lost race is a ConflictError.
// - `idempotencyKey: true` makes a key once per call, reused on the retry after re-login.
import { ApiError, UnauthenticatedError, networkError, problemFrom } from './problem'

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[]
export type Query = Record<string, QueryValue>

export interface RequestOptions {
  query?: Query
  /** A JSON-serialisable body, or FormData for uploads. */
  body?: unknown
  /** The case version the user saw (sent as If-Match `"3"`). */
  ifMatch?: number
  /** `true`: a fresh key for this call; a string: that key (reuse it to retry the same create). */
  idempotencyKey?: string | true
  signal?: AbortSignal
  /** Do not open the re-login dialog on 401 (the login and session calls themselves). */
  noRelogin?: boolean
}

export interface ApiResponse<T> {
  data: T
  status: number
  /** The version from the ETag header (`"3"` → 3), when the answer carries one. */
  version: number | null
}

export interface ClientHooks {
  /** The synchronizer token of the current session, sent on unsafe requests. */
  csrfToken: () => string | null
  /** Ask the person to log in again; resolves true once they did, false if they gave up. */
  relogin: (error: UnauthenticatedError) => Promise<boolean>
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
export const API_PREFIX = '/api/v1'

let hooks: ClientHooks = { csrfToken: () => null, relogin: async () => false }

/** Called once by the session store: where the CSRF token comes from, how to re-login. */
export function configureClient(next: ClientHooks): void {
  hooks = next
}

/** `/cases` + `{status: ['a','b'], q: 'x'}` → `/api/v1/cases?status=a&status=b&q=x`. */
export function buildUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    const values = Array.isArray(value) ? value : [value]
    for (const item of values) params.append(name, String(item))
  }
  const search = params.toString()
  const full = path.startsWith(API_PREFIX) ? path : API_PREFIX + path
  return search ? `${full}?${search}` : full
}

export function versionOf(etag: string | null): number | null {
  const match = etag?.match(/^\s*(?:W\/)?"?(\d+)"?\s*$/)
  return match?.[1] ? Number(match[1]) : null
}

function headersFor(method: string, options: RequestOptions, key: string | null): Headers {
  const headers = new Headers({ Accept: 'application/json, application/problem+json' })
  if (options.body !== undefined && !(options.body instanceof FormData)) {
    headers.set('Content-Type', 'application/json')
  }
  const csrf = hooks.csrfToken()
  if (UNSAFE.has(method) && csrf) headers.set('X-CSRF-Token', csrf)
  if (options.ifMatch !== undefined) headers.set('If-Match', `"${options.ifMatch}"`)
  if (key) headers.set('Idempotency-Key', key)
  return headers
}

async function bodyOf(response: Response): Promise<unknown> {
  if (response.status === 204) return null
  const type = response.headers.get('Content-Type') ?? ''
  if (!type.includes('json')) return null
  try {
    return await response.json()
  } catch {
    return null
  }
}

async function send(method: string, path: string, options: RequestOptions, key: string | null): Promise<Response> {
  const body = options.body
  try {
    return await fetch(buildUrl(path, options.query), {
      method,
      credentials: 'same-origin',
      headers: headersFor(method, options, key),
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
      signal: options.signal,
    })
  } catch (cause) {
    throw networkError(cause)
  }
}

/** One API call. Throws ApiError (or its ConflictError / UnauthenticatedError kinds). */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const key = options.idempotencyKey === true ? crypto.randomUUID() : (options.idempotencyKey ?? null)
  for (;;) {
    const response = await send(method, path, options, key)
    const body = await bodyOf(response)
    if (response.ok) {
      return { data: body as T, status: response.status, version: versionOf(response.headers.get('ETag')) }
    }
    const error = problemFrom(response.status, body)
    if (!(error instanceof UnauthenticatedError) || options.noRelogin) throw error
    if (!(await hooks.relogin(error))) throw error
  }
}

export const api = {
  get: <T>(path: string, query?: Query, options: RequestOptions = {}) =>
    request<T>('GET', path, { ...options, query }).then((r) => r.data),
  post: <T>(path: string, body?: unknown, options: RequestOptions = {}) =>
    request<T>('POST', path, { ...options, body }).then((r) => r.data),
  put: <T>(path: string, body?: unknown, options: RequestOptions = {}) =>
    request<T>('PUT', path, { ...options, body }).then((r) => r.data),
  patch: <T>(path: string, body?: unknown, options: RequestOptions = {}) =>
    request<T>('PATCH', path, { ...options, body }).then((r) => r.data),
  del: <T = null>(path: string, options: RequestOptions = {}) => request<T>('DELETE', path, options).then((r) => r.data),
}

export { ApiError }
