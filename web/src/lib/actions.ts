// The case page's action buttons: exactly the case view's `allowed_actions`, each with its
// Chinese label and the small form for the fields its API body takes
// (src/hotline/entrypoints/web/action_schemas.py). The server checks everything again.

export type FieldKind =
  | 'text' | 'textarea' | 'select' | 'radio' | 'number' | 'date' | 'datetime'
  | 'unit' | 'units' | 'category' | 'returnReason'

export type FieldValue = string | number | boolean | string[] | null
export type FormValues = Record<string, FieldValue>

export interface Option {
  value: string | boolean
  label: string
}

export interface FieldSpec {
  name: string
  label: string
  kind: FieldKind
  required?: boolean
  max?: number
  options?: Option[]
  placeholder?: string
  /** Shown (and sent) only when this is true for the form's current values. */
  when?: (values: FormValues) => boolean
}

export type ActionTone = 'primary' | 'default' | 'warning' | 'danger'

export interface ActionSpec {
  action: string
  label: string
  tone: ActionTone
  fields: FieldSpec[]
  /** A form-wide rule the fields alone cannot say; returns field → reason. */
  check?: (values: FormValues) => Record<string, string>
}

const reasonOptional: FieldSpec = { name: 'reason', label: '说明', kind: 'textarea', max: 2000, placeholder: '可选，记入历史' }
const reasonRequired = (label: string): FieldSpec => ({ name: 'reason', label, kind: 'textarea', required: true, max: 2000 })

const SATISFACTION: Option[] = [
  { value: 'satisfied', label: '满意' },
  { value: 'basically_satisfied', label: '基本满意' },
  { value: 'unsatisfied', label: '不满意' },
]
const REOPEN_TARGETS: Option[] = [
  { value: 'same_unit', label: '原单位重办' },
  { value: 'resort', label: '退回中心重新分派' },
]
const YES_NO: Option[] = [
  { value: true, label: '是' },
  { value: false, label: '否' },
]
const reached = (values: FormValues): boolean => values.outcome === 'reached'

const SPECS: ActionSpec[] = [
  {
    action: 'register', label: '立案', tone: 'primary',
    fields: [
      { name: 'category_code', label: '类别', kind: 'category' },
      {
        name: 'urgency', label: '紧急程度', kind: 'radio',
        options: [
          { value: 'normal', label: '一般' },
          { value: 'urgent', label: '紧急' },
          { value: 'emergency', label: '特急' },
        ],
      },
      reasonOptional,
    ],
  },
  {
    action: 'answer_directly', label: '直接答复', tone: 'primary',
    fields: [{ name: 'reply_text', label: '答复内容', kind: 'textarea', required: true, max: 4000 }, reasonOptional],
  },
  { action: 'void', label: '作废', tone: 'danger', fields: [reasonRequired('作废原因')] },
  {
    action: 'dispatch', label: '派遣', tone: 'primary',
    fields: [
      { name: 'unit', label: '主办单位', kind: 'unit', required: true },
      { name: 'co_units', label: '协办单位', kind: 'units' },
      { name: 'category_code', label: '重新分类', kind: 'category', placeholder: '不改则留空' },
      reasonOptional,
    ],
    check: (values): Record<string, string> => {
      const lead = values.unit
      const co = Array.isArray(values.co_units) ? values.co_units : []
      return typeof lead === 'string' && co.includes(lead) ? { co_units: '协办单位不能包含主办单位' } : {}
    },
  },
  {
    action: 'sub_dispatch', label: '下派', tone: 'primary',
    fields: [{ name: 'unit', label: '下级单位', kind: 'unit', required: true }, reasonOptional],
  },
  { action: 'accept', label: '签收', tone: 'primary', fields: [reasonOptional] },
  {
    action: 'return', label: '退单', tone: 'danger',
    fields: [{ name: 'reason_code', label: '退单原因', kind: 'returnReason', required: true }, reasonRequired('具体说明')],
  },
  { action: 'approve_return', label: '同意退单', tone: 'warning', fields: [reasonOptional] },
  { action: 'reject_return', label: '驳回退单', tone: 'danger', fields: [reasonRequired('驳回理由')] },
  {
    action: 'request_extension', label: '申请延期', tone: 'warning',
    fields: [
      { name: 'extra_working_days', label: '延长工作日', kind: 'number' },
      { name: 'requested_due_at', label: '或新的期限', kind: 'datetime' },
      reasonRequired('延期理由'),
    ],
    check: (values): Record<string, string> => {
      const days = values.extra_working_days !== null && values.extra_working_days !== '' && values.extra_working_days !== undefined
      const due = Boolean(values.requested_due_at)
      if (days === due) {
        const why = '延长工作日与新的期限须填且只填一项'
        return { extra_working_days: why, requested_due_at: why }
      }
      return {}
    },
  },
  {
    action: 'approve_extension', label: '批准延期', tone: 'primary',
    fields: [{ name: 'granted_due_at', label: '批准的期限', kind: 'datetime', placeholder: '留空则按申请' }, reasonOptional],
  },
  { action: 'refuse_extension', label: '不批准延期', tone: 'danger', fields: [reasonRequired('不批准理由')] },
  {
    action: 'reply', label: '办结答复', tone: 'primary',
    fields: [
      {
        name: 'result_type', label: '办理结果', kind: 'radio', required: true,
        options: [
          { value: 'solved', label: '已解决' },
          { value: 'promised', label: '承诺解决' },
          { value: 'explained', label: '解释说明' },
          { value: 'not_founded', label: '反映不实' },
        ],
      },
      { name: 'promised_on', label: '承诺解决日期', kind: 'date', required: true, when: (v) => v.result_type === 'promised' },
      { name: 'reply_text', label: '答复内容', kind: 'textarea', required: true, max: 4000 },
      reasonOptional,
    ],
  },
  {
    action: 'verify', label: '核查', tone: 'primary',
    fields: [
      { name: 'passed', label: '核查结果', kind: 'radio', required: true, options: [{ value: true, label: '属实，通过' }, { value: false, label: '不属实，返工' }] },
      { name: 'note', label: '核查情况', kind: 'textarea', max: 4000 },
      reasonOptional,
    ],
  },
  {
    action: 'record_callback', label: '回访', tone: 'primary',
    fields: [
      {
        name: 'outcome', label: '回访结果', kind: 'radio', required: true,
        options: [
          { value: 'reached', label: '已接通' },
          { value: 'unreachable', label: '未接通' },
          { value: 'refused', label: '拒绝回访' },
        ],
      },
      { name: 'process_satisfaction', label: '过程满意度', kind: 'radio', required: true, options: SATISFACTION, when: reached },
      { name: 'result_satisfaction', label: '结果满意度', kind: 'radio', required: true, options: SATISFACTION, when: reached },
      { name: 'solved', label: '问题是否解决', kind: 'radio', required: true, options: YES_NO, when: reached },
      {
        name: 'reopen_to', label: '不满意重办去向', kind: 'radio', options: REOPEN_TARGETS,
        when: (v) => reached(v) && v.result_satisfaction === 'unsatisfied',
      },
      { name: 'comment', label: '回访记录', kind: 'textarea', max: 4000 },
    ],
  },
  {
    action: 'reopen', label: '重办', tone: 'warning',
    fields: [{ name: 'target', label: '重办去向', kind: 'radio', options: REOPEN_TARGETS }, reasonRequired('重办原因')],
  },
  { action: 'close', label: '结案', tone: 'primary', fields: [reasonOptional] },
  {
    action: 'co_opinion', label: '协办意见', tone: 'primary',
    fields: [{ name: 'opinion', label: '协办意见', kind: 'textarea', required: true, max: 4000 }, reasonOptional],
  },
]

export const ACTION_SPECS: ReadonlyMap<string, ActionSpec> = new Map(SPECS.map((spec) => [spec.action, spec]))

/** An action this page does not know yet still gets a button: a plain form with a note. */
function unknownAction(action: string): ActionSpec {
  return { action, label: '其他操作', tone: 'default', fields: [reasonOptional] }
}

export function actionSpec(action: string): ActionSpec {
  return ACTION_SPECS.get(action) ?? unknownAction(action)
}

/** The buttons for a case: one per allowed action, in the server's order, none repeated. */
export function actionButtons(allowed: readonly string[]): ActionSpec[] {
  return [...new Set(allowed)].map(actionSpec)
}

/** The fields shown for the current values. */
export function visibleFields(spec: ActionSpec, values: FormValues): FieldSpec[] {
  return spec.fields.filter((field) => !field.when || field.when(values))
}

function isEmpty(value: FieldValue | undefined): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
}

/** Starting values: every field empty (radios unset, lists empty). */
export function initialValues(spec: ActionSpec): FormValues {
  return Object.fromEntries(spec.fields.map((field) => [field.name, field.kind === 'units' ? [] : null]))
}

/** Field → Chinese reason for what the form can tell before sending (required, length, rules). */
export function checkValues(spec: ActionSpec, values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const field of visibleFields(spec, values)) {
    const value = values[field.name]
    if (field.required && (isEmpty(value) || (typeof value === 'string' && !value.trim()))) {
      errors[field.name] = '必填'
    } else if (field.max && typeof value === 'string' && value.length > field.max) {
      errors[field.name] = `不能超过 ${field.max} 个字符`
    }
  }
  return { ...(spec.check?.(values) ?? {}), ...errors }
}

/** The JSON body for `POST /cases/{number}/actions`: visible, non-empty fields only. */
export function actionBody(spec: ActionSpec, values: FormValues): Record<string, FieldValue> {
  const body: Record<string, FieldValue> = { action: spec.action }
  for (const field of visibleFields(spec, values)) {
    const value = values[field.name]
    if (value === undefined || isEmpty(value)) continue
    if (field.kind === 'number') body[field.name] = Number(value)
    else if (typeof value === 'string') body[field.name] = value.trim()
    else body[field.name] = value
  }
  return body
}

export interface PlacedErrors {
  /** Field → reason, for the fields the form shows. */
  fields: Record<string, string>
  /** What cannot go beside a field (a field the form does not show, or no field at all). */
  message: string
}

/** Where the API's refusal goes: its 422 field reasons beside the form's fields, the rest above. */
export function placeErrors(
  spec: ActionSpec, shown: readonly FieldSpec[], reasons: Record<string, string>, detail: string,
): PlacedErrors {
  const names = new Set(shown.map((field) => field.name))
  const labels = new Map(spec.fields.map((field) => [field.name, field.label]))
  const entries = Object.entries(reasons)
  const fields = Object.fromEntries(entries.filter(([name]) => names.has(name)))
  const elsewhere = entries
    .filter(([name]) => !names.has(name))
    .map(([name, reason]) => (labels.has(name) ? `${labels.get(name)}：${reason}` : reason))
  return { fields, message: elsewhere.length ? elsewhere.join('；') : entries.length ? '' : detail }
}
