import { describe, expect, it } from 'vitest'
import type { HistoryEvent } from '@/api/types'
import { historyLine, peopleOf } from './history'

const NAMES: Record<string, string> = { 'unit:LX-CGJ': '历下区城市管理局', 'unit:LX-JFL': '解放路街道', 'return_reason:not_our_duty': '非本单位职责' }
const names = (kind: string, code: string): string => NAMES[`${kind}:${code}`] ?? code

function event(over: Partial<HistoryEvent>): HistoryEvent {
  return { seq: 1, action: 'receive', actor: 'op1', at: '2026-11-24T02:00:00+00:00', from_status: null, to_status: 'received', reason: null, details: {}, hash: 'h', ...over }
}

describe('history in words', () => {
  it('a dispatch names the units and the status move', () => {
    const line = historyLine(event({ action: 'dispatch', actor: 'disp', from_status: 'registered', to_status: 'dispatched', reason: '按规则', details: { unit: 'LX-CGJ', co_units: ['LX-JFL'] } }), names)
    expect(line).toMatchObject({ what: '派遣', actor: 'disp', move: '已立案 → 已派遣', reason: '按规则' })
    expect(historyLine(event({ actor: 'disp', actor_name: '王调度' }), names).actor).toBe('王调度')
    expect(line.notes).toEqual(['单位：历下区城市管理局', '协办：解放路街道'])
  })

  it('the first event shows only where the case stands; the system acts as 系统', () => {
    expect(historyLine(event({}), names).move).toBe('已登记')
    expect(historyLine(event({ action: 'enrich', actor: 'system', to_status: 'received', from_status: 'received' }), names)).toMatchObject({ what: '自动分析', actor: '系统', move: '' })
  })

  it('outcomes and texts in Chinese; an unknown step is 其他, never its code', () => {
    const callback = historyLine(event({ action: 'record_callback', details: { outcome: 'reached', process_satisfaction: 'satisfied', result_satisfaction: 'unsatisfied', comment: '路灯仍不亮' } }), names)
    expect(callback.notes).toEqual(['已接通', '过程满意', '结果不满意', '路灯仍不亮'])
    expect(historyLine(event({ action: 'return', details: { reason_code: 'not_our_duty' } }), names).notes).toEqual(['原因：非本单位职责'])
    expect(historyLine(event({ action: 'verify', details: { passed: false } }), names).notes).toEqual(['核查未通过'])
    expect(historyLine(event({ action: 'brand_new_step' }), names).what).toBe('其他')
  })
})

describe('people', () => {
  it('names a login by the name its events carry, the system as 系统', () => {
    const person = peopleOf([event({ actor: 'lx-h', actor_name: '李承办' }), event({ actor: 'op' })])
    expect(person('lx-h')).toBe('李承办')
    expect(person('system')).toBe('系统')
    expect(person('op')).toBe('op')
    expect(person(null)).toBe('')
  })
})
