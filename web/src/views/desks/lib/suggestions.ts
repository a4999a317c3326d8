// What POST /api/v1/intake/suggestions answers, read into what the intake desk shows beside the
// form. The API sends a flat list of {field, value, confidence, reason, source} made by the
// enrichment steps (src/hotline/services/cases/enrichment.py), in step order:
//   district_code / street_code / community_code  — locate_place (one reason for all three)
//   category_code (several)                        — the classifier model, then taxonomy keywords
//   route {lead, co_units, sub_dispatch, rule}     — routing rules, for the best category
//   problem {problem_id, decision, candidates}     — earlier cases about the same problem

export interface RawSuggestion {
  field: string
  value: unknown
  confidence: number
  reason: string
  source: string
}

export interface CategoryChoice {
  code: string
  /** The best confidence any step gave this category (0–1). */
  confidence: number
  reasons: string[]
  /** Which steps proposed it: a category both the model and the keywords name is firmer. */
  sources: string[]
}

export interface PlaceGuess {
  district: string | null
  street: string | null
  community: string | null
  confidence: number
  reason: string
}

export interface RouteGuess {
  lead: string
  coUnits: string[]
  subDispatch: string[]
  rule: string
  reason: string
  confidence: number
}

export interface CandidateReason {
  text: string
}

export interface ProblemCandidate {
  case: string
  problem_id: number
  problem_status: string
  score: number
  text_similarity: number
  decision: string
  reasons: CandidateReason[]
}

export interface ProblemGuess {
  problemId: number
  /** `link`: the ledger will link it by itself; `suggest`: the operator should confirm. */
  decision: 'link' | 'suggest'
  reason: string
  score: number
  candidates: ProblemCandidate[]
}

export interface DraftAdvice {
  place: PlaceGuess | null
  categories: CategoryChoice[]
  route: RouteGuess | null
  problem: ProblemGuess | null
}

export const NO_ADVICE: DraftAdvice = { place: null, categories: [], route: null, problem: null }
export const MAX_CATEGORIES = 5

const SOURCE_LABELS: Record<string, string> = {
  category_from_model: '模型',
  category_from_keywords: '关键词',
  locate_place: '定位',
  district_from_text: '地名',
  route: '派遣规则',
  repeats: '重复诉求',
}

export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? '其他'
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

/** Categories by confidence (agreement of several steps breaks ties), at most `limit`. */
export function rankCategories(raw: readonly RawSuggestion[], limit = MAX_CATEGORIES): CategoryChoice[] {
  const byCode = new Map<string, CategoryChoice>()
  for (const item of raw) {
    if (item.field !== 'category_code' || typeof item.value !== 'string') continue
    const known = byCode.get(item.value)
    if (!known) {
      byCode.set(item.value, { code: item.value, confidence: item.confidence, reasons: [item.reason], sources: [item.source] })
      continue
    }
    known.confidence = Math.max(known.confidence, item.confidence)
    if (!known.reasons.includes(item.reason)) known.reasons.push(item.reason)
    if (!known.sources.includes(item.source)) known.sources.push(item.source)
  }
  return [...byCode.values()]
    .sort((a, b) => b.confidence - a.confidence || b.sources.length - a.sources.length || a.code.localeCompare(b.code))
    .slice(0, limit)
}

function placeOf(raw: readonly RawSuggestion[]): PlaceGuess | null {
  const pick = (field: string) => raw.find((item) => item.field === field && typeof item.value === 'string')
  const district = pick('district_code')
  if (!district) return null
  return {
    district: district.value as string,
    street: (pick('street_code')?.value as string | undefined) ?? null,
    community: (pick('community_code')?.value as string | undefined) ?? null,
    confidence: district.confidence,
    reason: district.reason,
  }
}

function routeOf(raw: readonly RawSuggestion[]): RouteGuess | null {
  const item = raw.find((entry) => entry.field === 'route' && isRecord(entry.value))
  if (!item || !isRecord(item.value) || typeof item.value.lead !== 'string') return null
  return {
    lead: item.value.lead,
    coUnits: strings(item.value.co_units),
    subDispatch: strings(item.value.sub_dispatch),
    rule: typeof item.value.rule === 'string' ? item.value.rule : '',
    reason: item.reason,
    confidence: item.confidence,
  }
}

function candidateOf(value: unknown): ProblemCandidate[] {
  if (!isRecord(value) || typeof value.case !== 'string' || typeof value.problem_id !== 'number') return []
  const reasons = Array.isArray(value.reasons)
    ? value.reasons.flatMap((reason) => (isRecord(reason) && typeof reason.text === 'string' ? [{ text: reason.text }] : []))
    : []
  return [
    {
      case: value.case,
      problem_id: value.problem_id,
      problem_status: typeof value.problem_status === 'string' ? value.problem_status : '',
      score: typeof value.score === 'number' ? value.score : 0,
      text_similarity: typeof value.text_similarity === 'number' ? value.text_similarity : 0,
      decision: typeof value.decision === 'string' ? value.decision : 'suggest',
      reasons,
    },
  ]
}

function problemOf(raw: readonly RawSuggestion[]): ProblemGuess | null {
  const item = raw.find((entry) => entry.field === 'problem' && isRecord(entry.value))
  if (!item || !isRecord(item.value) || typeof item.value.problem_id !== 'number') return null
  const candidates = Array.isArray(item.value.candidates) ? item.value.candidates.flatMap(candidateOf) : []
  return {
    problemId: item.value.problem_id,
    decision: item.value.decision === 'link' ? 'link' : 'suggest',
    reason: item.reason,
    score: item.confidence,
    candidates,
  }
}

/** The whole answer, grouped for the panel; unknown fields are ignored (steps are added later). */
export function adviceFrom(raw: readonly RawSuggestion[]): DraftAdvice {
  return { place: placeOf(raw), categories: rankCategories(raw), route: routeOf(raw), problem: problemOf(raw) }
}

/** `0.873` → `87%`; out-of-range values are clamped. */
export function percent(confidence: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(confidence) ? confidence : 0))
  return `${Math.round(clamped * 100)}%`
}

export type ConfidenceTone = 'success' | 'warning' | 'info'

/** Green from 70 %, amber from 40 %, grey below: how much to trust a suggestion at a glance. */
export function confidenceTone(confidence: number): ConfidenceTone {
  if (confidence >= 0.7) return 'success'
  if (confidence >= 0.4) return 'warning'
  return 'info'
}

export interface DraftFields {
  channel: string
  content: string
  address: string
  caller_phone: string
}

/** The body for the suggestions call, or null while there is too little to suggest from. */
export function draftBody(form: DraftFields, minimumContent = 4): Record<string, string> | null {
  const content = form.content.trim()
  if (!form.channel || content.length < minimumContent) return null
  const body: Record<string, string> = { channel: form.channel, content }
  if (form.address.trim()) body.address = form.address.trim()
  if (form.caller_phone.trim()) body.caller_phone = form.caller_phone.trim()
  return body
}

const LOCATE_METHODS: Record<string, string> = {
  coordinates: '按坐标',
  'coordinates+address': '按坐标和地址',
  address: '按地址',
  address_partial: '按地址（部分匹配）',
  none: '未定位',
}

export interface PlaceText {
  /** `历下区 / 泉城路街道`: the names the locator found, district first. */
  names: string
  /** How it was found, in Chinese. */
  method: string
  /** Other places the address could mean, when it is ambiguous. */
  candidates: string
}

/** The locator's reason (`定位：历下区 / 泉城路街道（address）；候选：…`) in words for people. */
export function placeText(reason: string): PlaceText {
  const match = reason.match(/^定位：(.*)（([^（）]*)）(?:；候选：(.*))?$/)
  if (!match) return { names: '', method: reason, candidates: '' }
  return {
    names: match[1] ?? '',
    method: LOCATE_METHODS[match[2] ?? ''] ?? '',
    candidates: match[3] ?? '',
  }
}

const CHAIN_SYMBOLS: Record<string, string> = {
  '@district': '所在区县的单位',
  '@street': '所在街道的单位',
  '@community': '所在社区的单位',
  '@city': '市级单位',
}
const UNIT_CODE = /\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b/g

export interface RuleRef {
  id: string
  /** The rule's place in the table (from 0), when known. */
  index?: number
  note?: string | null
}

/** The routing reasons in words for people: rule ids, chain symbols and unit codes become
 * 「第 N 条规则」, 「所在街道的单位」 and the unit's name. */
export function routeReasons(reasons: readonly string[], rule: RuleRef | null, unitName: (code: string) => string): string[] {
  return reasons.map((reason) => {
    let text = reason
    if (rule) text = text.split(`规则 ${rule.id}`).join(rule.index === undefined ? '规则' : `第 ${rule.index + 1} 条规则`)
    text = text.replace(/规则 [A-Za-z][\w.-]*/g, '另一条规则')
    text = text.replace(/@[a-z]+/g, (symbol) => CHAIN_SYMBOLS[symbol] ?? '相应单位')
    return text.replace(UNIT_CODE, (code) => unitName(code))
  })
}
