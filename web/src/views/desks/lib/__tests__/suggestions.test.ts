import { describe, expect, it } from 'vitest'
import { adviceFrom, confidenceTone, draftBody, percent, placeText, rankCategories, routeReasons, type RawSuggestion } from '../suggestions'

const s = (field: string, value: unknown, confidence: number, source = 'x', reason = 'r'): RawSuggestion => ({
  field,
  value,
  confidence,
  reason,
  source,
})

describe('rankCategories', () => {
  it('merges the steps per category, keeps the best confidence and every reason', () => {
    const ranked = rankCategories([
      s('category_code', 'E0301', 0.62, 'category_from_model', '模型 v1：夜间施工噪音'),
      s('category_code', 'E0303', 0.2, 'category_from_model'),
      s('category_code', 'E0301', 0.7, 'category_from_keywords', '关键词：施工、噪音'),
    ])
    expect(ranked.map((c) => c.code)).toEqual(['E0301', 'E0303'])
    expect(ranked[0]).toMatchObject({ confidence: 0.7, sources: ['category_from_model', 'category_from_keywords'] })
    expect(ranked[0]!.reasons).toEqual(['模型 v1：夜间施工噪音', '关键词：施工、噪音'])
  })

  it('breaks ties by agreement of several steps, then by code, and caps the list', () => {
    const ranked = rankCategories(
      [
        s('category_code', 'B', 0.5, 'category_from_model'),
        s('category_code', 'A', 0.5, 'category_from_model'),
        s('category_code', 'C', 0.5, 'category_from_model'),
        s('category_code', 'C', 0.3, 'category_from_keywords'),
      ],
      2,
    )
    expect(ranked.map((c) => c.code)).toEqual(['C', 'A'])
  })

  it('ignores other fields and malformed values', () => {
    expect(rankCategories([s('district_code', '370102', 0.9), s('category_code', 42, 0.9)])).toEqual([])
  })
})

describe('adviceFrom', () => {
  it('groups place, route and the ledger problem', () => {
    const advice = adviceFrom([
      s('district_code', '370102', 0.9, 'locate_place', '定位：历下区 / 泉城路街道（address）'),
      s('street_code', '370102001', 0.9, 'locate_place'),
      s('route', { lead: 'LX-CGJ', co_units: ['LX-JFL'], sub_dispatch: [], rule: 'noise' }, 0.8, 'route', '属地：历下区'),
      s('problem', { problem_id: 7, decision: 'suggest', candidates: [
        { case: '20261124-000001', problem_id: 7, problem_status: 'open', score: 0.66, text_similarity: 0.5,
          decision: 'suggest', reasons: [{ text: '同一地点' }, { nope: 1 }] },
        { broken: true },
      ] }, 0.66, 'repeats', '疑似同一问题'),
    ])
    expect(advice.place).toEqual({ district: '370102', street: '370102001', community: null, confidence: 0.9,
      reason: '定位：历下区 / 泉城路街道（address）' })
    expect(advice.route).toMatchObject({ lead: 'LX-CGJ', coUnits: ['LX-JFL'], rule: 'noise', reason: '属地：历下区' })
    expect(advice.problem).toMatchObject({ problemId: 7, decision: 'suggest', score: 0.66 })
    expect(advice.problem!.candidates).toHaveLength(1)
    expect(advice.problem!.candidates[0]!.reasons).toEqual([{ text: '同一地点' }])
  })

  it('is empty for an empty answer', () => {
    expect(adviceFrom([])).toEqual({ place: null, categories: [], route: null, problem: null })
  })
})

describe('formatting', () => {
  it('shows confidence as a whole percent, clamped', () => {
    expect(percent(0.873)).toBe('87%')
    expect(percent(1.2)).toBe('100%')
    expect(percent(Number.NaN)).toBe('0%')
  })

  it('colours by how far to trust it', () => {
    expect(confidenceTone(0.7)).toBe('success')
    expect(confidenceTone(0.69)).toBe('warning')
    expect(confidenceTone(0.39)).toBe('info')
  })
})

describe('draftBody', () => {
  const form = { channel: '12345', content: '  泉城路夜间施工噪音  ', address: '', caller_phone: ' 13812345678 ' }

  it('asks only once there is enough text and a channel', () => {
    expect(draftBody({ ...form, content: '噪音' })).toBeNull()
    expect(draftBody({ ...form, channel: '' })).toBeNull()
  })

  it('trims and leaves out empty optional fields', () => {
    expect(draftBody(form)).toEqual({ channel: '12345', content: '泉城路夜间施工噪音', caller_phone: '13812345678' })
  })
})

describe('placeText', () => {
  it('reads the locator reason into names, method and candidates', () => {
    expect(placeText('定位：历下区 / 泉城路街道（address）')).toEqual({ names: '历下区 / 泉城路街道', method: '按地址', candidates: '' })
    expect(placeText('定位：历下区（address_partial）；候选：甲街道、乙街道')).toEqual({
      names: '历下区', method: '按地址（部分匹配）', candidates: '甲街道、乙街道',
    })
  })

  it('keeps a reason of another shape as it is', () => {
    expect(placeText('文本含「历下区」')).toEqual({ names: '', method: '文本含「历下区」', candidates: '' })
  })
})

describe('routeReasons', () => {
  const names: Record<string, string> = { 'LX-CGJ': '历下区城市管理局' }
  const unitName = (code: string) => names[code] ?? code

  it('names the rule by its place in the table, never by its code', () => {
    const rule = { id: 'territory-district', index: 4, note: '属地管理' }
    expect(routeReasons(['命中规则 territory-district（属地管理）'], rule, unitName)).toEqual(['命中第 5 条规则（属地管理）'])
    expect(routeReasons(['命中规则 territory-district'], { id: 'territory-district' }, unitName)).toEqual(['命中规则'])
  })

  it('writes other rules, chain symbols and unit codes in words', () => {
    const reasons = ['规则 owner-gas（燃气）匹配但无法确定承办单位（@street、@district）', '@community 未能确定，下派止于 LX-CGJ']
    expect(routeReasons(reasons, null, unitName)).toEqual([
      '另一条规则（燃气）匹配但无法确定承办单位（所在街道的单位、所在区县的单位）',
      '所在社区的单位 未能确定，下派止于 历下区城市管理局',
    ])
  })
})
