import { describe, expect, it } from 'vitest'
import { callbackBody, callbackEffect, callbackErrors, emptyCallback, reopens } from '../callbackForm'

describe('callback form', () => {
  it('needs an outcome, and both satisfactions when reached', () => {
    expect(Object.keys(callbackErrors(emptyCallback()))).toEqual(['outcome'])
    const reached = { ...emptyCallback(), outcome: 'reached' as const }
    expect(Object.keys(callbackErrors(reached))).toEqual(['process_satisfaction', 'result_satisfaction'])
    expect(callbackErrors({ ...reached, process: 'satisfied', result: 'satisfied' })).toEqual({})
  })

  it('sends only the answers that fit the outcome', () => {
    const unreachable = { ...emptyCallback(), outcome: 'unreachable' as const, process: 'satisfied' as const, comment: ' 关机 ' }
    expect(callbackBody(unreachable)).toEqual({ action: 'record_callback', outcome: 'unreachable', comment: '关机' })
  })

  it('an unsatisfied result reopens, to where the operator chose', () => {
    const draft = { ...emptyCallback(), outcome: 'reached' as const, process: 'basically_satisfied' as const,
      result: 'unsatisfied' as const, solved: 'no' as const, reopenTo: 'resort' as const }
    expect(reopens(draft)).toBe(true)
    expect(callbackBody(draft)).toEqual({
      action: 'record_callback', outcome: 'reached', process_satisfaction: 'basically_satisfied',
      result_satisfaction: 'unsatisfied', solved: false, reopen_to: 'resort',
    })
    expect(callbackEffect(draft, 0)).toBe('结果不满意：督办并退回中心重新分拣')
  })

  it('a satisfied answer closes and sends no reopen target', () => {
    const draft = { ...emptyCallback(), outcome: 'reached' as const, process: 'satisfied' as const, result: 'satisfied' as const, solved: 'yes' as const }
    expect(callbackBody(draft)).not.toHaveProperty('reopen_to')
    expect(callbackBody(draft).solved).toBe(true)
    expect(callbackEffect(draft, 0)).toBe('满意度已记录：工单结案')
  })

  it('counts the unreachable attempts', () => {
    expect(callbackEffect({ ...emptyCallback(), outcome: 'unreachable' }, 1)).toContain('第 2 次未接通')
  })
})
