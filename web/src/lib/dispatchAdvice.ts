// The routing rules' advice for a case, as the dispatch form's starting values.
import type { CaseOut, RouteAdvice } from '@/api/types'
import type { FieldValue, FormValues } from './actions'

/** The body of `POST /api/v1/route` for a case. */
export function routeDraft(view: CaseOut): Record<string, string | number | null> {
  return {
    category_code: view.category_code,
    district: view.district_code,
    street_code: view.street_code,
    community_code: view.community_code,
    address: view.address,
    lon: view.lon,
    lat: view.lat,
    channel: view.channel,
    urgency: view.urgency,
  }
}

export interface DispatchStart {
  values: FormValues
  /** What the dispatcher reads above the form: the unit and the rule's reason. */
  hint: string
  /** Fields sent only while the suggested unit is kept: the rule that chose it. */
  extra: (values: FormValues) => Record<string, FieldValue>
}

export function dispatchStart(advice: RouteAdvice): DispatchStart | null {
  const lead = advice.lead
  if (!lead) return null
  const rule = advice.rule
  return {
    values: { unit: lead.code, co_units: advice.co_units.map((unit) => unit.code) },
    hint: `派遣建议：${lead.name ?? lead.code}${rule?.note ? `（${rule.note}）` : ''}`,
    extra: (values): Record<string, FieldValue> => (rule && values.unit === lead.code ? { rule: rule.id } : {}),
  }
}
