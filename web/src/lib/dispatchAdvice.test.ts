import { describe, expect, it } from 'vitest'
import type { RouteAdvice } from '@/api/types'
import { dispatchStart } from './dispatchAdvice'

const advice = {
  category_code: 'E0301', routed: true, principle: 'territory', reasons: [], co_units: [{ code: 'LX-JFL', name: '解放路街道', kind: 'street_office' }],
  sub_dispatch: [], place: { district_code: '370102', street_code: null, community_code: null }, location: null,
  lead: { code: 'LX-CGJ', name: '历下区城市管理局', kind: 'district_bureau' },
  rule: { id: 'territory-district', index: 21, note: '属地管理' },
} as unknown as RouteAdvice

describe('dispatch advice', () => {
  it('preselects the suggested lead and co-units and says why', () => {
    const start = dispatchStart(advice)!
    expect(start.values).toEqual({ unit: 'LX-CGJ', co_units: ['LX-JFL'] })
    expect(start.hint).toBe('派遣建议：历下区城市管理局（属地管理）')
  })

  it('names the adopted rule only while the suggested unit is kept', () => {
    const start = dispatchStart(advice)!
    expect(start.extra({ unit: 'LX-CGJ' })).toEqual({ rule: 'territory-district' })
    expect(start.extra({ unit: 'SZ-CGJ' })).toEqual({})
  })

  it('no lead, no advice', () => {
    expect(dispatchStart({ ...advice, lead: null })).toBeNull()
  })
})
