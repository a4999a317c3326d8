// Chinese names for the codes the API sends (domain/lifecycle.py, action_schemas.py).
import type { Status } from './caseFilters'

export const STATUS_LABELS: Record<Status, string> = {
  received: '已登记',
  registered: '已立案',
  answered_directly: '直接答复',
  void: '已作废',
  dispatched: '已派遣',
  accepted: '已签收',
  returned: '退单待审',
  replied: '已办结',
  verifying: '核查中',
  callback_pending: '待回访',
  closed: '已结案',
}

export const URGENCY_LABELS: Record<string, string> = { normal: '一般', urgent: '紧急', emergency: '特急' }

export const RESULT_LABELS: Record<string, string> = {
  solved: '已解决',
  promised: '承诺解决',
  explained: '解释说明',
  not_founded: '反映不实',
}

export const ASSIGNMENT_ROLE_LABELS: Record<string, string> = { lead: '主办', co: '协办' }

export const ASSIGNMENT_STATUS_LABELS: Record<string, string> = {
  pending: '待签收',
  accepted: '已签收',
  replied: '已答复',
  returned: '已退单',
  ended: '已结束',
  closed: '已结案',
}

export const REQUEST_KIND_LABELS: Record<string, string> = { extension: '延期申请', return: '退单申请' }
export const REQUEST_STATUS_LABELS: Record<string, string> = {
  pending: '待审批',
  approved: '已同意',
  refused: '未批准',
  rejected: '已驳回',
  withdrawn: '已撤销',
}

/** Who did it: people by login name; the system's own steps (enrichment, sweeps) in words. */
export function actorName(actor: string): string {
  return actor === 'system' || actor === '' ? '系统' : actor
}

export const EVENT_LABELS: Record<string, string> = {
  receive: '登记',
  enrich: '自动分析',
  attach: '上传附件',
  register: '立案',
  answer_directly: '直接答复',
  void: '作废',
  dispatch: '派遣',
  sub_dispatch: '下派',
  accept: '签收',
  return: '退单',
  approve_return: '同意退单',
  reject_return: '驳回退单',
  request_extension: '申请延期',
  approve_extension: '批准延期',
  refuse_extension: '不批准延期',
  reply: '办结答复',
  verify: '核查',
  record_callback: '回访',
  reopen: '重办',
  close: '结案',
  co_opinion: '协办意见',
  link_problem: '关联问题',
  unlink_problem: '取消关联问题',
  supervise: '督办',
  sla_warning: '时限预警',
  sla_breach: '超期',
}

/** A label for a code, or a neutral Chinese word when the code is new to this page. */
export function labelOf(labels: Record<string, string>, code: string | null | undefined, unknown = '其他'): string {
  if (!code) return ''
  return labels[code] ?? unknown
}

export const SUPERVISION_LEVEL_LABELS: Record<string, string> = {
  urge: '催办',
  supervise: '督办',
  priority: '重点督办',
  head: '一把手督办',
}

export const SUPERVISION_STATUS_LABELS: Record<string, string> = { open: '待回复', responded: '已回复', closed: '已办结' }

export const CLOSED_AS_LABELS: Record<string, string> = {
  closed_by_centre: '中心结案',
  verified: '核查后结案',
  satisfied: '回访后结案',
  unreachable: '回访未接通结案',
  refused: '拒绝回访结案',
  answered_directly: '直接答复',
  void: '作废',
}
