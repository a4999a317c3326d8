// The callback outcome form (回访): what the citizen said, checked before it is sent as the
// `record_callback` action (src/hotline/entrypoints/web/action_schemas.py, domain/rules.py).
//
// reached (已接通): process and result satisfaction both required; solved optional; a result
//   「不满意」 sends the case back (重办) to the same unit or to the centre for re-sorting.
// unreachable (未接通): no answers; the server retries later and closes after the city's limit.
// refused (拒绝回访): the citizen declined; the case closes.

export type CallbackOutcome = 'reached' | 'unreachable' | 'refused'
export type Satisfaction = 'satisfied' | 'basically_satisfied' | 'unsatisfied'
export type ReopenTarget = 'same_unit' | 'resort'

export interface CallbackDraft {
  outcome: CallbackOutcome | ''
  process: Satisfaction | ''
  result: Satisfaction | ''
  /** 'yes' | 'no' | '' (not asked). */
  solved: 'yes' | 'no' | ''
  comment: string
  reopenTo: ReopenTarget
}

export const OUTCOME_LABELS: Record<CallbackOutcome, string> = {
  reached: '已接通',
  unreachable: '未接通',
  refused: '拒绝回访',
}

export const SATISFACTION_LABELS: Record<Satisfaction, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
}

export const REOPEN_LABELS: Record<ReopenTarget, string> = {
  same_unit: '原承办单位重办',
  resort: '退回中心重新分拣',
}

export const MAX_COMMENT = 4000

export function emptyCallback(): CallbackDraft {
  return { outcome: '', process: '', result: '', solved: '', comment: '', reopenTo: 'same_unit' }
}

/** Whether the answer sends the case back for rework (the result is unsatisfied). */
export function reopens(draft: CallbackDraft): boolean {
  return draft.outcome === 'reached' && draft.result === 'unsatisfied'
}

/** Field (as the API names it) → why it is not yet right; empty when the form can be sent. */
export function callbackErrors(draft: CallbackDraft): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!draft.outcome) errors.outcome = '请选择回访结果'
  if (draft.outcome === 'reached') {
    if (!draft.process) errors.process_satisfaction = '已接通须记录过程满意度'
    if (!draft.result) errors.result_satisfaction = '已接通须记录结果满意度'
  }
  if (draft.comment.length > MAX_COMMENT) errors.comment = `备注不能超过 ${MAX_COMMENT} 个字`
  return errors
}

/** The action body; answers that do not apply to the outcome are left out, not sent as null. */
export function callbackBody(draft: CallbackDraft): Record<string, unknown> {
  const body: Record<string, unknown> = { action: 'record_callback', outcome: draft.outcome }
  if (draft.outcome === 'reached') {
    body.process_satisfaction = draft.process
    body.result_satisfaction = draft.result
    if (draft.solved) body.solved = draft.solved === 'yes'
    if (reopens(draft) || draft.solved === 'no') body.reopen_to = draft.reopenTo
  }
  const comment = draft.comment.trim()
  if (comment) body.comment = comment
  return body
}

/** What will happen, in one line, shown above the button before it is pressed. */
export function callbackEffect(draft: CallbackDraft, attemptsSoFar: number): string {
  switch (draft.outcome) {
    case 'unreachable':
      return `记第 ${attemptsSoFar + 1} 次未接通：稍后再次回访，达到次数上限后结案`
    case 'refused':
      return '市民拒绝回访：工单结案'
    case 'reached':
      if (reopens(draft)) return `结果不满意：督办并${REOPEN_LABELS[draft.reopenTo]}`
      return draft.result ? '满意度已记录：工单结案' : '请记录满意度'
    default:
      return ''
  }
}
