import { describe, expect, it } from 'vitest'
import {
  NO_DATA_COLOUR, changeTone, colourScale, countChange, formatPercent, formatPp, freshness, indicatorDrill,
  presetPeriod, previousMonth, rankBy, tileDrill, tileValue,
} from './cockpitMath'

describe('tile figures', () => {
  const counts = { received: { '370102': 5, '370103': 2, '': 1 }, overdue: {} }

  it('sums every district for the city, the unknown district included', () => {
    expect(tileValue(counts, 'received')).toBe(8)
    expect(tileValue(counts, 'received', '370102')).toBe(5)
    expect(tileValue(counts, 'received', '370105')).toBe(0)
    expect(tileValue(counts, 'overdue')).toBe(0)
    expect(tileValue(counts, 'no-such-tile')).toBe(0)
  })

  it('says the change against an earlier day in words', () => {
    expect(countChange(8, 5, '昨日')).toBe('较昨日 +3')
    expect(countChange(3, 5, '去年同日')).toBe('较去年同日 −2')
    expect(countChange(4, 4, '昨日')).toBe('与昨日持平')
  })
})

describe('percentage points', () => {
  it('formats a change with its sign, to one decimal', () => {
    expect(formatPp(1.234)).toBe('+1.2 个百分点')
    expect(formatPp(-0.55)).toBe('−0.5 个百分点')
    expect(formatPp(0.04)).toBe('持平')
    expect(formatPp(-0.04)).toBe('持平')
    expect(formatPp(null)).toBe('—')
    expect(formatPp(undefined)).toBe('—')
  })

  it('formats a percentage to one decimal', () => {
    expect(formatPercent(97.35)).toBe('97.4%')
    expect(formatPercent(100)).toBe('100.0%')
    expect(formatPercent(null)).toBe('—')
  })

  it('colours a rise green where a rise is good and red where it is not', () => {
    expect(changeTone('result_satisfaction', 2)).toBe('good')
    expect(changeTone('result_satisfaction', -2)).toBe('bad')
    expect(changeTone('overdue_rate', 2)).toBe('bad')
    expect(changeTone('overdue_rate', -2)).toBe('good')
    expect(changeTone('reply_rate', 0.01)).toBe('flat')
    expect(changeTone('reply_rate', null)).toBe('flat')
  })
})

describe('map colour scales', () => {
  it('runs the satisfaction ramp from red (low) to green (high)', () => {
    const scale = colourScale('satisfaction', [80, 90, 100, null])
    expect([scale.min, scale.max]).toEqual([80, 100])
    expect(scale.colourOf(100)).toBe('#1a9850')
    expect(scale.colourOf(80)).toBe('#d73027')
    expect(scale.colourOf(null)).toBe(NO_DATA_COLOUR)
  })

  it('runs the overdue ramp the other way: a high overdue rate is red', () => {
    const scale = colourScale('overdue', [0, 10, 20])
    expect(scale.colourOf(0)).toBe('#1a9850')
    expect(scale.colourOf(20)).toBe('#d73027')
  })

  it('gives a volume one blue ramp, and equal values the middle colour', () => {
    const scale = colourScale('volume', [10, 10])
    expect(scale.colourOf(10)).toBe(scale.colours[2])
    expect(colourScale('volume', []).colourOf(3)).toBe(scale.colours[2])
    const ramp = colourScale('volume', [0, 100])
    expect(ramp.colourOf(0)).toBe('#e8f1fb')
    expect(ramp.colourOf(100)).toBe('#0b3a6e')
  })
})

describe('ranking', () => {
  const rows = [
    { code: '370103', value: 90 },
    { code: '370102', value: 95 },
    { code: '370104', value: null },
    { code: '370105', value: 90 },
  ]

  it('ranks best first with shared ranks for ties, missing values last', () => {
    const ranked = rankBy(rows, 'satisfaction')
    expect(ranked.map((r) => [r.code, r.rank])).toEqual([
      ['370102', 1], ['370103', 2], ['370105', 2], ['370104', null],
    ])
  })

  it('ranks the lowest overdue rate first', () => {
    expect(rankBy(rows, 'overdue').map((r) => r.code)).toEqual(['370103', '370105', '370102', '370104'])
  })
})

describe('periods and drill-downs', () => {
  it('knows the presets as of a day', () => {
    expect(presetPeriod('month', '2026-11-24')).toEqual({ from: '2026-11-01', to: '2026-11-24' })
    expect(presetPeriod('last_month', '2026-03-10')).toEqual({ from: '2026-02-01', to: '2026-02-28' })
    expect(presetPeriod('year', '2026-11-24')).toEqual({ from: '2026-01-01', to: '2026-11-24' })
    expect(presetPeriod('week', '2026-12-03')).toEqual({ from: '2026-11-27', to: '2026-12-03' })
    expect(previousMonth('2026-01')).toBe('2025-12')
  })

  it('builds the drill-down queries', () => {
    expect(tileDrill('overdue', '2026-11-24', '370102')).toEqual({ source: 'tile', tile: 'overdue', date: '2026-11-24', district: '370102' })
    expect(tileDrill('received', '2026-11-24')).toEqual({ source: 'tile', tile: 'received', date: '2026-11-24' })
    expect(indicatorDrill('reply_rate', { from: '2026-11-01', to: '2026-11-24' }, 'numerator', '370102')).toEqual({
      source: 'indicator', indicator: 'reply_rate', part: 'numerator', from: '2026-11-01', to: '2026-11-24',
      group_by: 'district', group: '370102',
    })
  })
})

describe('freshness', () => {
  it('says when and how long ago, and where the figures came from', () => {
    const at = new Date(2026, 10, 24, 10, 0, 5).toISOString()
    expect(freshness(at, 12, 'cache')).toBe('数据更新于 10:00:05（12 秒前，后台缓存）')
    expect(freshness(at, 0, 'live')).toBe('数据更新于 10:00:05（0 秒前，实时计算）')
    expect(freshness(at, 125, 'cache')).toBe('数据更新于 10:00:05（2 分钟前，后台缓存）')
  })
})
