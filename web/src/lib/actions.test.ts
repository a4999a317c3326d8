import { describe, expect, it } from 'vitest'
import { ACTION_SPECS, actionBody, actionButtons, actionSpec, checkValues, initialValues, placeErrors, visibleFields } from './actions'

// Every action of domain/lifecycle.py's Action, with its label there (ACTION_LABELS).
const LIFECYCLE: Record<string, string> = {
  register: '立案', answer_directly: '直接答复', void: '作废', dispatch: '派遣', sub_dispatch: '下派',
  accept: '签收', return: '退单', approve_return: '同意退单', reject_return: '驳回退单',
  request_extension: '申请延期', approve_extension: '批准延期', refuse_extension: '不批准延期',
  reply: '办结答复', verify: '核查', record_callback: '回访', reopen: '重办', close: '结案', co_opinion: '协办意见',
}

describe('action buttons', () => {
  it('are exactly the allowed actions, in the server order, without repeats', () => {
    const buttons = actionButtons(['dispatch', 'void', 'dispatch', 'register'])
    expect(buttons.map((b) => b.action)).toEqual(['dispatch', 'void', 'register'])
    expect(actionButtons([])).toEqual([])
  })

  it('know every lifecycle action, with its Chinese label', () => {
    expect([...ACTION_SPECS.keys()].sort()).toEqual(Object.keys(LIFECYCLE).sort())
    for (const [action, label] of Object.entries(LIFECYCLE)) expect(actionSpec(action).label).toBe(label)
  })

  it('an action unknown to this page still gets a button with a Chinese label', () => {
    expect(actionSpec('something_new')).toMatchObject({ action: 'something_new', label: '其他操作' })
  })

  it('refusals are drawn as dangerous', () => {
    for (const action of ['void', 'return', 'reject_return', 'refuse_extension']) expect(actionSpec(action).tone).toBe('danger')
  })
})

describe('action forms', () => {
  it('a promise needs its date; the date field shows only for a promise', () => {
    const reply = actionSpec('reply')
    const values = { ...initialValues(reply), result_type: 'solved', reply_text: '已清理' }
    expect(visibleFields(reply, values).map((f) => f.name)).not.toContain('promised_on')
    expect(checkValues(reply, values)).toEqual({})
    const promised = { ...values, result_type: 'promised' }
    expect(checkValues(reply, promised)).toEqual({ promised_on: '必填' })
    expect(actionBody(reply, { ...promised, promised_on: '2026-12-01' })).toEqual({
      action: 'reply', result_type: 'promised', reply_text: '已清理', promised_on: '2026-12-01',
    })
  })

  it('dispatch sends the lead and co-units, and refuses the lead among the co-units', () => {
    const dispatch = actionSpec('dispatch')
    const values = { ...initialValues(dispatch), unit: 'LX-CGJ', co_units: ['LX-JFL'], reason: '  按规则  ' }
    expect(actionBody(dispatch, values)).toEqual({ action: 'dispatch', unit: 'LX-CGJ', co_units: ['LX-JFL'], reason: '按规则' })
    expect(checkValues(dispatch, { ...values, co_units: ['LX-CGJ'] })).toHaveProperty('co_units')
    expect(checkValues(dispatch, { ...values, unit: null })).toEqual({ unit: '必填' })
  })

  it('an extension asks for exactly one of extra days or a new due time', () => {
    const extension = actionSpec('request_extension')
    const base = { ...initialValues(extension), reason: '需协调' }
    expect(Object.keys(checkValues(extension, base))).toEqual(['extra_working_days', 'requested_due_at'])
    expect(checkValues(extension, { ...base, extra_working_days: 3 })).toEqual({})
    expect(actionBody(extension, { ...base, extra_working_days: '3' })).toEqual({ action: 'request_extension', extra_working_days: 3, reason: '需协调' })
    expect(Object.keys(checkValues(extension, { ...base, extra_working_days: 3, requested_due_at: '2026-12-01T17:00:00' }))).toHaveLength(2)
  })

  it('a callback that reached no one sends no satisfaction', () => {
    const callback = actionSpec('record_callback')
    const values = { ...initialValues(callback), outcome: 'unreachable', process_satisfaction: 'satisfied' }
    expect(checkValues(callback, values)).toEqual({})
    expect(actionBody(callback, values)).toEqual({ action: 'record_callback', outcome: 'unreachable' })
    const reached = { ...values, outcome: 'reached' }
    expect(Object.keys(checkValues(callback, reached)).sort()).toEqual(['result_satisfaction', 'solved'])
    const unhappy = { ...reached, result_satisfaction: 'unsatisfied', solved: false, reopen_to: 'resort' }
    expect(actionBody(callback, unhappy)).toMatchObject({ solved: false, reopen_to: 'resort' })
  })

  it('a required reason must be more than spaces, and lengths are checked', () => {
    const voiding = actionSpec('void')
    expect(checkValues(voiding, { reason: '   ' })).toEqual({ reason: '必填' })
    expect(checkValues(voiding, { reason: '测'.repeat(2001) })).toEqual({ reason: '不能超过 2000 个字符' })
  })
})

describe('refusals in the form', () => {
  const reply = actionSpec('reply')
  const shown = visibleFields(reply, { ...initialValues(reply), result_type: 'solved' })

  it("the API's field reasons go beside the fields shown", () => {
    expect(placeErrors(reply, shown, { reply_text: '不能超过 4000 个字符' }, '输入有误')).toEqual({ fields: { reply_text: '不能超过 4000 个字符' }, message: '' })
  })

  it('a reason for a field the form does not show goes above the form', () => {
    expect(placeErrors(reply, shown, { promised_on: '必填', reply_text: '必填' }, '输入有误')).toEqual({ fields: { reply_text: '必填' }, message: '承诺解决日期：必填' })
    expect(placeErrors(reply, shown, { body: '请求体无法解析' }, '输入有误').message).toBe('请求体无法解析')
  })

  it('a refusal without fields shows its detail', () => {
    expect(placeErrors(reply, shown, {}, '当前状态不允许该操作')).toEqual({ fields: {}, message: '当前状态不允许该操作' })
  })
})
