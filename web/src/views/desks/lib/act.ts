// One lifecycle action from a desk: POST /cases/{number}/actions with the version the desk saw
// (If-Match). A lost race is told apart from other refusals so the desk can say
// 「工单已被他人修改」 and reload the row instead of showing a bare error.
import { request } from '@/api/client'
import { ApiError, ConflictError, messageOf } from '@/api/problem'
import type { CaseOut } from '@/api/types'

export const CONFLICT_MESSAGE = '工单已被他人修改'

export type ActResult =
  | { ok: true; case: CaseOut | null; version: number | null }
  | { ok: false; conflict: boolean; message: string; fields: Record<string, string> }

/** The answer's case, or null when the change took the case out of the user's scope. */
function caseOf(data: unknown): CaseOut | null {
  return typeof data === 'object' && data !== null && 'status' in data ? (data as CaseOut) : null
}

export async function actOnCase(number: string, version: number, body: Record<string, unknown>): Promise<ActResult> {
  try {
    const answer = await request<unknown>('POST', `/cases/${number}/actions`, { body, ifMatch: version })
    return { ok: true, case: caseOf(answer.data), version: answer.version }
  } catch (error) {
    return failureOf(error)
  }
}

export function failureOf(error: unknown): ActResult {
  if (error instanceof ConflictError) {
    return { ok: false, conflict: true, message: `${CONFLICT_MESSAGE}，已刷新为最新内容，请核对后重试`, fields: {} }
  }
  const fields = error instanceof ApiError ? error.fieldMap() : {}
  return { ok: false, conflict: false, message: messageOf(error), fields }
}
