import { describe, expect, it } from 'vitest'
import {
  dispatchBody, dispatchErrors, dispatchHint, extensionReviewBody, extensionReviewErrors, pendingRequest,
  presetFromRoute, returnReviewBody, returnReviewErrors, tabsFor,
} from '../dispatch'

const route = { lead: { code: 'LX-CGJ' }, co_units: [{ code: 'LX-JFL' }, { code: 'LX-CGJ' }], rule: { id: 'noise-territory' } }

describe('dispatch form', () => {
  it('is preset from the routing suggestion, the lead never among the co-units', () => {
    expect(presetFromRoute(route)).toEqual({ unit: 'LX-CGJ', coUnits: ['LX-JFL'], reason: '', rule: 'noise-territory', category: '' })
    expect(presetFromRoute(null).unit).toBe('')
  })

  it('sends the rule only while the suggested lead is kept', () => {
    const draft = { ...presetFromRoute(route), coUnits: ['LX-JFL', 'LX-JFL', 'LX-QCL'] }
    expect(dispatchBody(draft, 'LX-CGJ')).toEqual({ action: 'dispatch', unit: 'LX-CGJ', co_units: ['LX-JFL', 'LX-QCL'], rule: 'noise-territory' })
    const changed = { ...draft, unit: 'LX-QCL', reason: ' 属地调整 ' }
    expect(dispatchBody(changed, 'LX-CGJ')).toEqual({ action: 'dispatch', unit: 'LX-QCL', co_units: ['LX-JFL'], reason: '属地调整' })
  })

  it('needs a lead, not repeated as co-unit, and nudges for a reason when departing', () => {
    expect(dispatchErrors(presetFromRoute(null))).toEqual({ unit: '请选择主办单位' })
    expect(dispatchErrors({ ...presetFromRoute(route), coUnits: ['LX-CGJ'] })).toHaveProperty('co_units')
    expect(dispatchHint({ ...presetFromRoute(route), unit: 'LX-QCL' }, 'LX-CGJ')).toContain('理由')
    expect(dispatchHint(presetFromRoute(route), 'LX-CGJ')).toBe('')
  })
})

describe('reviews', () => {
  it('a return is approved as is, rejected only with a reason', () => {
    expect(returnReviewErrors('', '')).toHaveProperty('decision')
    expect(returnReviewErrors('reject', ' ')).toHaveProperty('reason')
    expect(returnReviewBody('approve', '')).toEqual({ action: 'approve_return' })
    expect(returnReviewBody('reject', '属本单位职责')).toEqual({ action: 'reject_return', reason: '属本单位职责' })
  })

  it('an extension is approved (optionally to another time) or refused with a reason', () => {
    expect(extensionReviewErrors('reject', '')).toHaveProperty('reason')
    expect(extensionReviewBody('approve', '', '')).toEqual({ action: 'approve_extension' })
    expect(extensionReviewBody('approve', '同意', '2026-12-10T18:00:00+08:00')).toEqual({
      action: 'approve_extension', granted_due_at: '2026-12-10T18:00:00+08:00', reason: '同意',
    })
    expect(extensionReviewBody('reject', '理由不足 ', '')).toEqual({ action: 'refuse_extension', reason: '理由不足' })
  })

  it('finds the open request of a kind, the latest', () => {
    const requests = [
      { id: 1, kind: 'extension', status: 'refused' },
      { id: 2, kind: 'return', status: 'pending' },
      { id: 3, kind: 'extension', status: 'pending' },
    ]
    expect(pendingRequest(requests, 'extension')?.id).toBe(3)
    expect(pendingRequest(requests, 'return')?.id).toBe(2)
    expect(pendingRequest([], 'return')).toBeNull()
  })
})

describe('tabs', () => {
  it('leaders see only the extensions; dispatchers all four', () => {
    expect(tabsFor('leader').map((t) => t.key)).toEqual(['extensions'])
    expect(tabsFor('dispatcher').map((t) => t.key)).toEqual(['dispatch', 'returns', 'extensions', 'resorted'])
  })

  it('puts a registered case on one tab: new ones to dispatch, reopened ones to re-sort', () => {
    const [dispatch, , , resorted] = tabsFor('dispatcher')
    expect(dispatch!.query).toMatchObject({ status: 'registered', reopened: 'false' })
    expect(resorted!.query).toMatchObject({ status: 'registered', reopened: 'true' })
  })
})
