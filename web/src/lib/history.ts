// One line of the case's history in words: what happened, the status move, and the details
// people need (the unit dispatched to, the outcome), without the raw JSON.
import type { HistoryEvent } from '@/api/types'
import { EVENT_LABELS, RESULT_LABELS, STATUS_LABELS, actorName } from './labels'

export interface HistoryLine {
  seq: number
  at: string
  actor: string
  what: string
  move: string
  reason: string
  notes: string[]
}

type Names = (kind: 'unit' | 'category' | 'return_reason', code: string) => string

const SATISFACTION: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' }
const OUTCOME: Record<string, string> = { reached: '已接通', unreachable: '未接通', refused: '拒绝回访' }

function statusName(code: string | null): string {
  return code ? (STATUS_LABELS as Record<string, string>)[code] ?? '其他状态' : ''
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}

function detailNotes(details: Record<string, unknown>, names: Names): string[] {
  const notes: string[] = []
  const unit = text(details.unit)
  if (unit) notes.push(`单位：${names('unit', unit)}`)
  const co = details.co_units
  if (Array.isArray(co) && co.length) notes.push(`协办：${co.map((u) => names('unit', text(u))).join('、')}`)
  const category = text(details.category_code)
  if (category) notes.push(`类别：${names('category', category)}`)
  const reasonCode = text(details.reason_code)
  if (reasonCode) notes.push(`原因：${names('return_reason', reasonCode)}`)
  const result = text(details.result_type)
  if (result) notes.push(`结果：${RESULT_LABELS[result] ?? '其他'}`)
  const outcome = text(details.outcome)
  if (outcome && OUTCOME[outcome]) notes.push(OUTCOME[outcome])
  for (const [key, label] of [['process_satisfaction', '过程'], ['result_satisfaction', '结果']] as const) {
    const value = text(details[key])
    if (value && SATISFACTION[value]) notes.push(`${label}${SATISFACTION[value]}`)
  }
  if (typeof details.passed === 'boolean') notes.push(details.passed ? '核查通过' : '核查未通过')
  for (const key of ['reply_text', 'opinion', 'note', 'comment'] as const) {
    const value = text(details[key])
    if (value) notes.push(value)
  }
  return notes
}

/** Login name → the name people know (from the events' `actor_name`), for who asked, who decided. */
export function peopleOf(events: readonly HistoryEvent[]): (login: string | null | undefined) => string {
  const names = new Map<string, string>()
  for (const event of events) if (event.actor_name) names.set(event.actor, event.actor_name)
  return (login) => (login ? names.get(login) ?? actorName(login) : '')
}

export function historyLine(event: HistoryEvent, names: Names): HistoryLine {
  const moved = event.from_status !== event.to_status && event.to_status
  return {
    seq: event.seq,
    at: event.at,
    actor: event.actor_name || actorName(event.actor),
    what: EVENT_LABELS[event.action] ?? '其他',
    move: moved ? `${statusName(event.from_status)} → ${statusName(event.to_status)}`.replace(/^ → /, '') : '',
    reason: event.reason ?? '',
    notes: detailNotes(event.details, names),
  }
}
