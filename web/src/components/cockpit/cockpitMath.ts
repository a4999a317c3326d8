// The cockpit's arithmetic, apart from the pages so it can be tested: figures per district and
// for the city, changes in percentage points, the map's colour scales, periods and drill links.
import type { LocationQueryRaw } from 'vue-router'

/** tile → district code ('' = no district known) → count, as GET /cockpit/today sends it. */
export type TileCounts = Record<string, Record<string, number>>

/** A tile's figure for one district, or with `district` empty the city's (every district, the
 * cases of no known district included). */
export function tileValue(counts: TileCounts, tile: string, district = ''): number {
  const byDistrict = counts[tile] ?? {}
  if (district) return byDistrict[district] ?? 0
  return Object.values(byDistrict).reduce((sum, n) => sum + n, 0)
}

/** "较昨日 +3", "较昨日 −2", "与昨日持平": the change in count against an earlier day. */
export function countChange(now: number, before: number, label: string): string {
  const change = now - before
  if (change === 0) return `与${label}持平`
  return `较${label} ${change > 0 ? '+' : '−'}${Math.abs(change)}`
}

/** A change in percentage points as people read it: "+1.2 个百分点", "−0.5 个百分点", "持平";
 * a missing change (an earlier period without a value) is "—". */
export function formatPp(pp: number | null | undefined): string {
  if (pp === null || pp === undefined || Number.isNaN(pp)) return '—'
  const rounded = Math.round(pp * 10) / 10
  if (rounded === 0) return '持平'
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toFixed(1)} 个百分点`
}

/** A percentage to one decimal: 97.35 → "97.4%"; missing → "—". */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  return `${(Math.round(value * 10) / 10).toFixed(1)}%`
}

/** Whether a rise is good news: for the overdue, return and rework rates it is not. */
const LOWER_IS_BETTER = new Set(['overdue_rate', 'return_rate', 'rework_rate', 'repeat_rate', 'overdue'])

export function higherIsBetter(key: string): boolean {
  return !LOWER_IS_BETTER.has(key)
}

/** 'good' | 'bad' | 'flat' for a change of a measure, to colour it (green/red). */
export function changeTone(key: string, pp: number | null | undefined): 'good' | 'bad' | 'flat' {
  if (pp === null || pp === undefined || Math.round(pp * 10) === 0) return 'flat'
  return (pp > 0) === higherIsBetter(key) ? 'good' : 'bad'
}

// -- the map's colours ----------------------------------------------------------------------

export type MapMetric = 'volume' | 'satisfaction' | 'overdue' | 'score'

export interface MetricInfo {
  key: MapMetric
  label: string
  unit: string
  /** Good values are shown green, bad red; a volume is neither: one blue ramp. */
  goodIsHigh: boolean | null
}

export const MAP_METRICS: readonly MetricInfo[] = [
  { key: 'volume', label: '受理量', unit: '件', goodIsHigh: null },
  { key: 'satisfaction', label: '满意率', unit: '%', goodIsHigh: true },
  { key: 'overdue', label: '超期率', unit: '%', goodIsHigh: false },
  { key: 'score', label: '考评得分', unit: '分', goodIsHigh: true },
]

export function metricInfo(key: MapMetric): MetricInfo {
  return MAP_METRICS.find((metric) => metric.key === key) ?? MAP_METRICS[0]!
}

const VOLUME_RAMP = ['#e8f1fb', '#9ec5ee', '#4a90d9', '#1d5fa8', '#0b3a6e'] as const
const GOOD_TO_BAD = ['#1a9850', '#91cf60', '#fee08b', '#fc8d59', '#d73027'] as const
export const NO_DATA_COLOUR = '#d9d9d9'

export interface ColourScale {
  min: number
  max: number
  colours: readonly string[]
  /** The colour of one value; a missing value is grey. */
  colourOf: (value: number | null | undefined) => string
}

/** A scale over the values present: from the lowest to the highest, in five steps; for a
 * measure where high is good the ramp runs bad → good, where low is good good → bad. */
export function colourScale(metric: MapMetric, values: readonly (number | null | undefined)[]): ColourScale {
  const present = values.filter((value): value is number => typeof value === 'number' && !Number.isNaN(value))
  const min = present.length ? Math.min(...present) : 0
  const max = present.length ? Math.max(...present) : 0
  const info = metricInfo(metric)
  const colours: readonly string[] =
    info.goodIsHigh === null ? VOLUME_RAMP : info.goodIsHigh ? [...GOOD_TO_BAD].reverse() : GOOD_TO_BAD
  const colourOf = (value: number | null | undefined): string => {
    if (typeof value !== 'number' || Number.isNaN(value)) return NO_DATA_COLOUR
    if (max === min) return colours[Math.floor(colours.length / 2)]!
    const step = Math.min(colours.length - 1, Math.floor(((value - min) / (max - min)) * colours.length))
    return colours[Math.max(0, step)]!
  }
  return { min, max, colours, colourOf }
}

/** Districts ranked by a metric, best first (for a volume: most cases first); those without a
 * value last, by code. Ties keep the code order, so a ranking never jumps between refreshes. */
export function rankBy<T extends { code: string; value: number | null }>(rows: readonly T[], metric: MapMetric): (T & { rank: number | null })[] {
  const info = metricInfo(metric)
  const descending = info.goodIsHigh !== false
  const valued = rows.filter((row) => row.value !== null).sort((a, b) => {
    const order = descending ? (b.value as number) - (a.value as number) : (a.value as number) - (b.value as number)
    return order || a.code.localeCompare(b.code)
  })
  const missing = rows.filter((row) => row.value === null).sort((a, b) => a.code.localeCompare(b.code))
  let rank = 0
  let previous: number | null = null
  const ranked = valued.map((row, index) => {
    if (row.value !== previous) rank = index + 1
    previous = row.value
    return { ...row, rank }
  })
  return [...ranked, ...missing.map((row) => ({ ...row, rank: null }))]
}

// -- periods ---------------------------------------------------------------------------------

const pad = (n: number): string => String(n).padStart(2, '0')

/** A local date as YYYY-MM-DD. */
export function isoDay(day: Date): string {
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`
}

export type PeriodPreset = 'month' | 'last_month' | 'year' | 'week'

export interface Period {
  from: string
  to: string
}

/** 本月 (to today), 上月, 今年以来, 近 7 天 — as of `today` (a local YYYY-MM-DD). */
export function presetPeriod(preset: PeriodPreset, today: string): Period {
  const [year, month, day] = today.split('-').map(Number) as [number, number, number]
  switch (preset) {
    case 'month':
      return { from: `${year}-${pad(month)}-01`, to: today }
    case 'last_month': {
      const first = new Date(year, month - 2, 1)
      const last = new Date(year, month - 1, 0)
      return { from: isoDay(first), to: isoDay(last) }
    }
    case 'year':
      return { from: `${year}-01-01`, to: today }
    case 'week':
      return { from: isoDay(new Date(year, month - 1, day - 6)), to: today }
  }
}

/** The month before `YYYY-MM`: the last month whose evaluation is complete. */
export function previousMonth(month: string): string {
  const [year, number] = month.split('-').map(Number) as [number, number]
  const before = new Date(year, number - 2, 1)
  return `${before.getFullYear()}-${pad(before.getMonth() + 1)}`
}

// -- drill-downs -----------------------------------------------------------------------------

/** The cockpit's list of the cases behind a tile of a day (one district, or the city). */
export function tileDrill(tile: string, day: string, district = ''): LocationQueryRaw {
  const query: LocationQueryRaw = { source: 'tile', tile, date: day }
  if (district) query.district = district
  return query
}

/** The cases behind one indicator's numerator or denominator in a period (one district). */
export function indicatorDrill(indicator: string, period: Period, part: 'numerator' | 'denominator', district = ''): LocationQueryRaw {
  const query: LocationQueryRaw = { source: 'indicator', indicator, part, from: period.from, to: period.to }
  if (district) {
    query.group_by = 'district'
    query.group = district
  }
  return query
}

/** What a click on a district of the map lists: the cases its colour counts. */
export const MAP_DRILL: Record<MapMetric, { indicator: string; part: 'numerator' | 'denominator' }> = {
  volume: { indicator: 'repeat_rate', part: 'denominator' }, // every intake of the period
  satisfaction: { indicator: 'result_satisfaction', part: 'denominator' }, // callbacks reached
  overdue: { indicator: 'overdue_rate', part: 'numerator' }, // rounds replied late or still open
  score: { indicator: 'repeat_rate', part: 'denominator' },
}

/** The map's metric → the indicator whose value colours it (the score comes from the
 * evaluation, the volume from the intake count). */
export const MAP_INDICATOR: Partial<Record<MapMetric, string>> = {
  satisfaction: 'result_satisfaction',
  overdue: 'overdue_rate',
}

// -- freshness -------------------------------------------------------------------------------

/** "数据更新于 10:00:05（12 秒前，后台缓存）": when the figures were counted and how long ago. */
export function freshness(computedAt: string, ageSeconds: number, source: 'cache' | 'live'): string {
  const moment = new Date(computedAt)
  const clock = Number.isNaN(moment.getTime())
    ? ''
    : `${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}`
  const age = ageSeconds < 60 ? `${ageSeconds} 秒前` : `${Math.floor(ageSeconds / 60)} 分钟前`
  return `数据更新于 ${clock}（${age}，${source === 'cache' ? '后台缓存' : '实时计算'}）`
}

/** What each indicator fact is, as the drill-down's list says it (domain/indicator_facts.py). */
export const FACT_LABELS: Record<string, string> = {
  intake: '受理',
  dispatch: '派遣',
  accepted_in_time: '按时签收',
  sub_dispatch: '下派',
  return: '退单',
  reply_due: '应回复',
  reply_due_replied: '已回复',
  reply_due_late: '逾期回复',
  reply_due_open: '未回复',
  reply_due_open_past: '超期未回复',
  reply: '办结答复',
  reply_on_time: '按期答复',
  rework_reopen: '重办',
  rework_callback: '回访不满意重办',
  rework_verify: '核查不通过',
  callback_reached: '回访接通',
  process_satisfied: '过程满意',
  result_satisfied: '结果满意',
  callback_solved: '回访已解决',
  repeat: '重复投诉',
}
