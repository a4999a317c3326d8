// One intake form's submission: create the case (登记, with an Idempotency-Key), then register
// it (立案) or answer it directly (直接答复), then — if the operator chose one — put it on a
// ledger problem. Three requests, any of which may fail or be sent twice:
//
// - The key is made once per form instance and reused on every retry, so a double Enter or a
//   retry after a lost answer makes one case (the server replays the first answer).
// - Once the case exists, a retry never creates again: it goes on from the step that failed.
// - If the second step's answer was lost, the retry finds the case already moved (412/409) and
//   reads it: already registered/answered means done, still received means try once more.
// - A new form (after success, or 清空) gets a new key.
import { ApiError, ConflictError } from '@/api/problem'

export type IntakeIntent = 'register' | 'answer'

export interface CreatedCase {
  number: string
  version: number
}

export interface CaseState {
  status: string
  version: number
  problem_id?: number | null
}

/** The three calls the flow makes; the page passes the real client, tests a fake. */
export interface IntakeApi {
  create(body: Record<string, unknown>, idempotencyKey: string): Promise<CreatedCase>
  act(number: string, version: number, body: Record<string, unknown>): Promise<number>
  read(number: string): Promise<CaseState>
  link(problemId: number, number: string, version: number): Promise<number>
}

export interface IntakePlan {
  intent: IntakeIntent
  caseBody: Record<string, unknown>
  /** register: category_code (+ district_code, urgency); answer: reply_text. */
  actionBody: Record<string, unknown>
  problemId: number | null
}

export interface IntakeOutcome {
  number: string
  intent: IntakeIntent
  /** The problem the case was put on, or null. */
  linkedProblem: number | null
  /** Set when the case is done but linking it to the problem failed (said, not hidden). */
  linkWarning: string
}

/** Where a failed submission stopped: the page says so, and the retry starts there. */
export class IntakeStepError extends Error {
  readonly step: 'create' | 'act'
  readonly cause: unknown
  readonly number: string | null

  constructor(step: 'create' | 'act', cause: unknown, number: string | null) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'IntakeStepError'
    this.step = step
    this.cause = cause
    this.number = number
  }
}

const DONE_STATUS: Record<IntakeIntent, string> = { register: 'registered', answer: 'answered_directly' }
const ACTION: Record<IntakeIntent, string> = { register: 'register', answer: 'answer_directly' }

export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return `intake-${crypto.randomUUID()}`
  return `intake-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
}

export class IntakeSubmission {
  readonly key: string
  private created: CreatedCase | null = null
  private inFlight: Promise<IntakeOutcome> | null = null

  constructor(
    private readonly api: IntakeApi,
    key: string = newIdempotencyKey(),
  ) {
    this.key = key
  }

  /** The case this form already created (a later step failed), or null. */
  get caseNumber(): string | null {
    return this.created?.number ?? null
  }

  get busy(): boolean {
    return this.inFlight !== null
  }

  /** Submit; a second call while the first runs gets the same promise (one case, one action). */
  submit(plan: IntakePlan): Promise<IntakeOutcome> {
    this.inFlight ??= this.run(plan).finally(() => {
      this.inFlight = null
    })
    return this.inFlight
  }

  private async run(plan: IntakePlan): Promise<IntakeOutcome> {
    if (!this.created) {
      try {
        this.created = await this.api.create(plan.caseBody, this.key)
      } catch (error) {
        throw new IntakeStepError('create', error, null)
      }
    }
    const created = this.created
    let version: number
    try {
      version = await this.actOnce(created, plan)
    } catch (error) {
      throw new IntakeStepError('act', error, created.number)
    }
    this.created = { ...created, version }
    return this.linked(plan, created.number, version)
  }

  /** The action; on a version conflict, the case as it is now decides (done, or once more). */
  private async actOnce(created: CreatedCase, plan: IntakePlan): Promise<number> {
    const body = { action: ACTION[plan.intent], ...plan.actionBody }
    try {
      return await this.api.act(created.number, created.version, body)
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error
      const now = await this.api.read(created.number)
      if (now.status === DONE_STATUS[plan.intent]) return now.version
      if (now.status !== 'received') throw error
      return await this.api.act(created.number, now.version, body)
    }
  }

  private async linked(plan: IntakePlan, number: string, version: number): Promise<IntakeOutcome> {
    const outcome: IntakeOutcome = { number, intent: plan.intent, linkedProblem: null, linkWarning: '' }
    if (plan.problemId === null) return outcome
    try {
      await this.linkOnce(plan.problemId, number, version)
      outcome.linkedProblem = plan.problemId
    } catch (error) {
      const why = error instanceof ApiError ? error.detail || error.title : '请稍后在工单页关联'
      outcome.linkWarning = `工单已${plan.intent === 'register' ? '立案' : '答复'}，但未能关联问题 ${plan.problemId}：${why}`
    }
    return outcome
  }

  /** The worker's enrichment may touch the case in between: re-read once on a conflict. */
  private async linkOnce(problemId: number, number: string, version: number): Promise<void> {
    try {
      await this.api.link(problemId, number, version)
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error
      const now = await this.api.read(number)
      if (now.problem_id === problemId) return
      await this.api.link(problemId, number, now.version)
    }
  }
}
