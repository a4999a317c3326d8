import { describe, expect, it } from 'vitest'
import { ApiError, ConflictError } from '@/api/problem'
import { IntakeStepError, IntakeSubmission, newIdempotencyKey, type CaseState, type IntakeApi, type IntakePlan } from '../intakeFlow'

/** A server in memory: replays a create per key, checks versions like the real API. */
class FakeServer implements IntakeApi {
  cases = new Map<string, CaseState & { body: Record<string, unknown> }>()
  byKey = new Map<string, string>()
  calls: string[] = []
  failNext: { call: string; error: Error; afterApplying?: boolean }[] = []
  private seq = 0

  private maybeFail(call: string, apply: () => void): void {
    const index = this.failNext.findIndex((f) => f.call === call)
    if (index < 0) return apply()
    const [failure] = this.failNext.splice(index, 1)
    if (failure!.afterApplying) apply()
    throw failure!.error
  }

  async create(body: Record<string, unknown>, key: string) {
    this.calls.push('create')
    let number = this.byKey.get(key)
    this.maybeFail('create', () => {
      if (!number) {
        number = `20261207-${String(++this.seq).padStart(6, '0')}`
        this.byKey.set(key, number)
        this.cases.set(number, { status: 'received', version: 1, problem_id: null, body })
      }
    })
    return { number: number!, version: this.cases.get(number!)!.version }
  }

  async act(number: string, version: number, body: Record<string, unknown>) {
    this.calls.push(`act:${String(body.action)}`)
    const found = this.cases.get(number)!
    if (found.version !== version) throw new ConflictError(412, 'precondition_failed', '工单已被他人修改', 'stale')
    this.maybeFail('act', () => {
      found.status = body.action === 'register' ? 'registered' : 'answered_directly'
      found.version += 1
    })
    return found.version
  }

  async read(number: string) {
    this.calls.push('read')
    const found = this.cases.get(number)!
    return { status: found.status, version: found.version, problem_id: found.problem_id }
  }

  async link(problemId: number, number: string, version: number) {
    this.calls.push('link')
    const found = this.cases.get(number)!
    if (found.version !== version) throw new ConflictError(409, 'concurrent_change', '工单已被他人修改', 'stale')
    this.maybeFail('link', () => {
      found.problem_id = problemId
      found.version += 1
    })
    return found.version
  }
}

const plan = (over: Partial<IntakePlan> = {}): IntakePlan => ({
  intent: 'register',
  caseBody: { channel: '12345', content: '夜间施工噪音' },
  actionBody: { category_code: 'E0301' },
  problemId: null,
  ...over,
})

describe('IntakeSubmission', () => {
  it('creates and registers once; a double submit shares the first', async () => {
    const server = new FakeServer()
    const form = new IntakeSubmission(server)
    const [first, second] = await Promise.all([form.submit(plan()), form.submit(plan())])
    expect(first).toBe(second)
    expect(first.number).toBe('20261207-000001')
    expect(server.calls).toEqual(['create', 'act:register'])
    expect(server.cases.get(first.number)!.status).toBe('registered')
  })

  it('a retry after a lost create answer reuses the key: still one case', async () => {
    const server = new FakeServer()
    server.failNext.push({ call: 'create', error: new ApiError(0, 'network_error', '网络错误', '无法连接'), afterApplying: true })
    const form = new IntakeSubmission(server)
    await expect(form.submit(plan())).rejects.toMatchObject({ step: 'create' })
    const outcome = await form.submit(plan())
    expect(server.cases.size).toBe(1)
    expect(outcome.number).toBe('20261207-000001')
  })

  it('after the case exists, a retry goes on from the failed step and never creates again', async () => {
    const server = new FakeServer()
    server.failNext.push({ call: 'act', error: new ApiError(422, 'invalid_input', '输入有误', '类别') })
    const form = new IntakeSubmission(server)
    const failure = await form.submit(plan()).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(IntakeStepError)
    expect(failure).toMatchObject({ step: 'act', number: '20261207-000001' })
    expect(form.caseNumber).toBe('20261207-000001')
    await form.submit(plan({ actionBody: { category_code: 'E0303' } }))
    expect(server.calls.filter((c) => c === 'create')).toHaveLength(1)
    expect(server.cases.get('20261207-000001')!.status).toBe('registered')
  })

  it('a register whose answer was lost is found done on the retry, not sent twice', async () => {
    const server = new FakeServer()
    server.failNext.push({ call: 'act', error: new ApiError(0, 'network_error', '网络错误', '无法连接'), afterApplying: true })
    const form = new IntakeSubmission(server)
    await expect(form.submit(plan())).rejects.toMatchObject({ step: 'act' })
    const outcome = await form.submit(plan())
    expect(outcome.intent).toBe('register')
    expect(server.calls).toEqual(['create', 'act:register', 'act:register', 'read'])
    expect(server.cases.get(outcome.number)!.version).toBe(2)
  })

  it('answers directly with the text', async () => {
    const server = new FakeServer()
    const outcome = await new IntakeSubmission(server).submit(plan({ intent: 'answer', actionBody: { reply_text: '已解答' } }))
    expect(outcome.intent).toBe('answer')
    expect(server.cases.get(outcome.number)!.status).toBe('answered_directly')
  })

  it('links the problem the operator chose, re-reading once if the worker touched the case', async () => {
    const server = new FakeServer()
    const form = new IntakeSubmission(server)
    const original = server.act.bind(server)
    server.act = async (number, version, body) => {
      const next = await original(number, version, body)
      server.cases.get(number)!.version += 1 // the enrichment job ran in between
      return next
    }
    const outcome = await form.submit(plan({ problemId: 7 }))
    expect(outcome).toMatchObject({ linkedProblem: 7, linkWarning: '' })
    expect(server.cases.get(outcome.number)!.problem_id).toBe(7)
  })

  it('says so when the link fails, without failing the registered case', async () => {
    const server = new FakeServer()
    server.failNext.push({ call: 'link', error: new ApiError(409, 'illegal_transition', '冲突', '问题已销账') })
    const outcome = await new IntakeSubmission(server).submit(plan({ problemId: 9 }))
    expect(outcome.linkedProblem).toBeNull()
    expect(outcome.linkWarning).toContain('问题已销账')
    expect(server.cases.get(outcome.number)!.status).toBe('registered')
  })

  it('gives every form its own key', () => {
    const keys = new Set([newIdempotencyKey(), newIdempotencyKey(), new IntakeSubmission(new FakeServer()).key])
    expect(keys.size).toBe(3)
    for (const key of keys) expect(key).toMatch(/^intake-[\x21-\x7e]+$/)
  })
})
