// The cockpit's data, shared by the desk page and the wall display: today's tiles (the worker's
// cache), the period's indicators by district (同比/环比, formulas), the last complete month's
// evaluation scores, the 13-month trend and the map's outlines — all from /api/v1.
import { computed, ref, shallowRef, type Ref } from 'vue'
import { api } from '@/api/client'
import { messageOf } from '@/api/problem'
import type { Schemas } from '@/api/types'
import {
  MAP_INDICATOR, presetPeriod, previousMonth, type MapMetric, type Period, type PeriodPreset,
} from '@/components/cockpit/cockpitMath'

export type CockpitToday = Schemas['CockpitTodayOut']
export type DayFigures = Schemas['DayFiguresOut']
export type IndicatorReport = Schemas['IndicatorReportOut']
export type CityMap = Schemas['CityMapOut']
export type Trend = Schemas['TrendOut']
export type Evaluation = Schemas['EvaluationOut']
export type Hotspot = Schemas['CockpitHotspotOut']

export interface RegionValue {
  code: string
  name: string
  value: number | null
}

export function useCockpit(district: Ref<string>, preset: Ref<PeriodPreset>, metric: Ref<MapMetric>) {
  const today = shallowRef<CockpitToday | null>(null)
  const report = shallowRef<IndicatorReport | null>(null)
  const map = shallowRef<CityMap | null>(null)
  const trend = shallowRef<Trend | null>(null)
  const evaluation = shallowRef<Evaluation | null>(null)
  const evaluationError = ref('')
  const error = ref('')
  const loading = ref(false)

  const day = computed(() => today.value?.today.day ?? '')
  const period = computed<Period | null>(() => (day.value ? presetPeriod(preset.value, day.value) : null))
  const month = computed(() => day.value.slice(0, 7))
  const scoredMonth = computed(() => (month.value ? previousMonth(month.value) : ''))

  async function loadToday(): Promise<void> {
    today.value = await api.get<CockpitToday>('/cockpit/today')
  }

  async function loadReport(): Promise<void> {
    if (!period.value) return
    report.value = await api.get<IndicatorReport>('/indicators', { ...period.value, group_by: 'district' })
  }

  async function loadTrend(): Promise<void> {
    if (!month.value) return
    trend.value = await api.get<Trend>('/cockpit/trend', { month: month.value, district: district.value })
  }

  async function loadEvaluation(): Promise<void> {
    evaluationError.value = ''
    try {
      evaluation.value = await api.get<Evaluation>('/evaluation', { month: scoredMonth.value })
    } catch (caught) {
      evaluation.value = null
      evaluationError.value = messageOf(caught) // the map says why it has no scores
    }
  }

  async function guarded(work: () => Promise<unknown>): Promise<void> {
    loading.value = true
    error.value = ''
    try {
      await work()
    } catch (caught) {
      error.value = messageOf(caught)
    } finally {
      loading.value = false
    }
  }

  /** Everything: today first (it names the day the periods count from), then the rest. */
  function loadAll(): Promise<void> {
    return guarded(async () => {
      await loadToday()
      const outlines = map.value ? Promise.resolve() : api.get<CityMap>('/cockpit/map').then((m) => { map.value = m })
      await Promise.all([loadReport(), loadTrend(), loadEvaluation(), outlines])
    })
  }

  /** The wall display's minute: today's tiles and the period's figures again. */
  function refresh(): Promise<void> {
    return guarded(async () => {
      await loadToday()
      await Promise.all([loadReport(), loadTrend()])
    })
  }

  const regions = computed(() => today.value?.districts ?? [])

  /** Each district's (and zone's) value of the map's metric. */
  const regionValues = computed<RegionValue[]>(() => {
    const groups = new Map((report.value?.groups ?? []).map((group) => [group.key, group.indicators]))
    const scores = new Map((evaluation.value?.results ?? []).map((result) => [result.entity, result.score]))
    return regions.value.map(({ code, name }) => {
      const indicators = groups.get(code)
      let value: number | null = null
      if (metric.value === 'volume') value = indicators?.repeat_rate?.denominator ?? 0
      else if (metric.value === 'score') value = scores.get(code) ?? null
      else value = indicators?.[MAP_INDICATOR[metric.value] ?? '']?.percent ?? null
      return { code, name, value }
    })
  })

  return {
    today, report, map, trend, evaluation, evaluationError, error, loading, day, period, month,
    scoredMonth, regions, regionValues, loadAll, refresh, loadReport, loadTrend, guarded,
  }
}
