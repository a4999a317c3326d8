import { describe, expect, it } from 'vitest'
import { ApiError, ConflictError } from '@/api/problem'
import { CONFLICT_MESSAGE, failureOf } from '../act'

describe('failureOf', () => {
  it('tells a lost race apart and says so in the words the centre uses', () => {
    const result = failureOf(new ConflictError(412, 'precondition_failed', '工单已被他人修改', 'stale'))
    expect(result).toMatchObject({ ok: false, conflict: true })
    expect(result.ok === false && result.message.startsWith(CONFLICT_MESSAGE)).toBe(true)
  })

  it('hands field errors to the form', () => {
    const error = new ApiError(422, 'invalid_input', '输入有误', '须说明理由', [{ name: 'reason', reason: '须说明理由' }])
    expect(failureOf(error)).toEqual({ ok: false, conflict: false, message: '须说明理由', fields: { reason: '须说明理由' } })
  })
})
