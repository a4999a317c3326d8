// The dispatcher desk's logic: the tabs' list queries, the dispatch form (主办 + 协办, reason),
// and the review forms for returns (退单) and extension requests (延期).

export type DeskTab = 'dispatch' | 'returns' | 'extensions' | 'resorted'

export interface TabSpec {
  key: DeskTab
  label: string
  /** GET /api/v1/cases query (src/hotline/services/cases/lists.py). */
  query: Record<string, string | string[]>
  /** Who works this tab: leaders only approve extensions. */
  roles: string[]
}

/** The registered cases are split in two: new ones (待派遣) and the ones back at the centre after
 * a reopen (重新分拣: an unsatisfied callback sent back for re-sorting, a reopen to the centre),
 * which the list tells apart by `reopened` (reopen_count > 0). Each case is on one tab only. */
export const DESK_TABS: readonly TabSpec[] = [
  { key: 'dispatch', label: '待派遣', query: { status: 'registered', reopened: 'false', sort: 'created' }, roles: ['dispatcher'] },
  { key: 'returns', label: '退单审核', query: { status: 'returned', sort: 'updated' }, roles: ['dispatcher'] },
  { key: 'extensions', label: '延期审批', query: { pending: 'extension', sort: 'reply_due' }, roles: ['dispatcher', 'leader'] },
  { key: 'resorted', label: '重新分拣', query: { status: 'registered', reopened: 'true', sort: 'created' }, roles: ['dispatcher'] },
]

export function tabsFor(role: string): TabSpec[] {
  return DESK_TABS.filter((tab) => tab.roles.includes(role))
}

export interface DispatchDraft {
  unit: string
  coUnits: string[]
  reason: string
  /** The routing rule the suggestion came from, sent only while the lead is the suggested one. */
  rule: string
  /** 重新分类: a new category code, or '' to keep the case's. */
  category: string
}

export interface RouteAdvice {
  lead: { code: string } | null
  co_units: { code: string }[]
  rule: { id: string } | null
}

/** The form preset from the routing suggestion: suggested lead and co-units, its rule. */
export function presetFromRoute(route: RouteAdvice | null): DispatchDraft {
  return {
    unit: route?.lead?.code ?? '',
    coUnits: (route?.co_units ?? []).map((unit) => unit.code).filter((code) => code !== route?.lead?.code),
    reason: '',
    rule: route?.rule?.id ?? '',
    category: '',
  }
}

export function dispatchErrors(draft: DispatchDraft): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!draft.unit) errors.unit = '请选择主办单位'
  if (draft.unit && draft.coUnits.includes(draft.unit)) errors.co_units = '协办单位不能与主办单位相同'
  return errors
}

/** A nudge, not a rule: returns are counted per routing rule, so a departure is worth a word. */
export function dispatchHint(draft: DispatchDraft, suggestedLead: string | null): string {
  if (!draft.unit || !suggestedLead || draft.unit === suggestedLead || draft.reason.trim()) return ''
  return '主办单位与建议不同，建议在「派遣说明」中写明理由'
}

/** The `dispatch` action body: co-units unique and without the lead; the rule only if followed. */
export function dispatchBody(draft: DispatchDraft, suggestedLead: string | null): Record<string, unknown> {
  const coUnits = [...new Set(draft.coUnits)].filter((code) => code && code !== draft.unit)
  const body: Record<string, unknown> = { action: 'dispatch', unit: draft.unit, co_units: coUnits }
  if (draft.rule && draft.unit === suggestedLead) body.rule = draft.rule
  if (draft.reason.trim()) body.reason = draft.reason.trim()
  if (draft.category) body.category_code = draft.category
  return body
}

export interface PendingRequest {
  id: number
  kind: string
  status: string
  reason_code?: string | null
  reason?: string | null
  requested_by?: string | null
  requested_at?: string | null
  requested_due_at?: string | null
}

/** The case's open request of this kind (the latest), or null. */
export function pendingRequest(requests: readonly PendingRequest[] | undefined, kind: 'return' | 'extension'): PendingRequest | null {
  const open = (requests ?? []).filter((request) => request.kind === kind && request.status === 'pending')
  return open.length ? open[open.length - 1]! : null
}

export type ReviewDecision = 'approve' | 'reject'

/** approve_return / reject_return; a rejection must say why (the unit reads it). */
export function returnReviewBody(decision: ReviewDecision, note: string): Record<string, unknown> {
  const body: Record<string, unknown> = { action: decision === 'approve' ? 'approve_return' : 'reject_return' }
  if (note.trim()) body.reason = note.trim()
  return body
}

export function returnReviewErrors(decision: ReviewDecision | '', note: string): Record<string, string> {
  if (!decision) return { decision: '请选择同意或驳回' }
  if (decision === 'reject' && !note.trim()) return { reason: '驳回退单须说明理由' }
  return {}
}

/** approve_extension (optionally to another time) / refuse_extension (reason required). */
export function extensionReviewBody(decision: ReviewDecision, note: string, grantedDueAt: string): Record<string, unknown> {
  if (decision === 'approve') {
    const body: Record<string, unknown> = { action: 'approve_extension' }
    if (grantedDueAt) body.granted_due_at = grantedDueAt
    if (note.trim()) body.reason = note.trim()
    return body
  }
  return { action: 'refuse_extension', reason: note.trim() }
}

export function extensionReviewErrors(decision: ReviewDecision | '', note: string): Record<string, string> {
  if (!decision) return { decision: '请选择批准或不批准' }
  if (decision === 'reject' && !note.trim()) return { reason: '不批准延期须说明理由' }
  return {}
}
