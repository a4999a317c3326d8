// Problem details (RFC 9457) from the API → typed errors the pages can act on.
// Every refusal has the same shape (src/hotline/entrypoints/web/problem_details.py): a Chinese title and
// detail, a stable machine `code`, and on 422 `invalid_params` naming each field.

export interface FieldError {
  /** The field as the API names it: `reply_text`, `co_units`, `body`, … */
  name: string
  /** Why, in Chinese: 「必填」「不能超过 4000 个字符」 */
  reason: string
}

/** Any answer from the API that is not a success, and a request that never got an answer. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string
  readonly fieldErrors: readonly FieldError[]

  constructor(status: number, code: string, title: string, detail: string, fieldErrors: FieldError[] = []) {
    super(detail || title)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.title = title
    this.detail = detail
    this.fieldErrors = fieldErrors
  }

  /** The reasons given for one field, joined; '' when the field is fine. */
  fieldError(name: string): string {
    return this.fieldErrors
      .filter((error) => error.name === name)
      .map((error) => error.reason)
      .join('；')
  }

  /** Field name → reason, for forms (`el-form-item :error`). */
  fieldMap(): Record<string, string> {
    const map: Record<string, string> = {}
    for (const error of this.fieldErrors) {
      map[error.name] = map[error.name] ? `${map[error.name]}；${error.reason}` : error.reason
    }
    return map
  }
}

/** Someone else changed the case first: 412 (stale If-Match) or 409 `concurrent_change`. */
export class ConflictError extends ApiError {
  constructor(status: number, code: string, title: string, detail: string) {
    super(status, code, title, detail)
    this.name = 'ConflictError'
  }
}

/** 401: no session, or it ended (`session_expired`, `session_invalid`, `unauthenticated`). */
export class UnauthenticatedError extends ApiError {
  constructor(code: string, title: string, detail: string) {
    super(401, code, title, detail)
    this.name = 'UnauthenticatedError'
  }
}

const FALLBACK_TITLES: Record<number, string> = {
  400: '请求有误',
  401: '登录已失效，请重新登录',
  403: '无权执行该操作',
  404: '未找到',
  409: '工单已被他人修改',
  412: '工单已被他人修改',
  413: '请求体过大',
  422: '输入有误',
  428: '缺少版本信息',
  429: '请求过于频繁，请稍后再试',
  500: '服务器内部错误',
  502: '服务暂不可用，请稍后重试',
  503: '服务暂不可用，请稍后重试',
  504: '服务响应超时，请稍后重试',
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function fieldErrorsOf(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return []
    const record = item as Record<string, unknown>
    const name = text(record.name)
    return name ? [{ name, reason: text(record.reason) || '格式有误' }] : []
  })
}

/** The error for a non-2xx answer; `body` is the parsed JSON, or null when it was not JSON. */
export function problemFrom(status: number, body: unknown): ApiError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  const fallback = FALLBACK_TITLES[status] ?? `请求未能完成（${status}）`
  const code = text(record.code) || `http_${status}`
  const title = text(record.title) || fallback
  const detail = text(record.detail) || title
  if (status === 401) return new UnauthenticatedError(code, title, detail)
  if (status === 412 || (status === 409 && code === 'concurrent_change')) {
    return new ConflictError(status, code, '工单已被他人修改', detail)
  }
  return new ApiError(status, code, title, detail, fieldErrorsOf(record.invalid_params))
}

/** A request that got no answer at all (server down, network cut). */
export function networkError(cause: unknown): ApiError {
  const detail = cause instanceof Error && cause.name === 'AbortError' ? '请求已取消' : '无法连接服务器，请检查网络后重试'
  return new ApiError(0, 'network_error', '网络错误', detail)
}

/** The message a person should read for any error thrown by an API call. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail || error.title
  return '操作失败，请重试'
}
