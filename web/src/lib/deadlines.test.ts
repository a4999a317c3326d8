import { describe, expect, it } from 'vitest'
import { SLA_TONES, countdown, slaState, stagesRun } from './deadlines'

const at = (iso: string): number => Date.parse(iso)
const due = '2026-11-24T10:00:00+08:00'
const warn = '2026-11-24T08:30:00+08:00'

describe('slaState: the rule of domain/sla.py', () => {
  it('no deadline, no state', () => {
    expect(slaState({ dueAt: null }, at(due))).toBeNull()
  })

  it('on track before the warning line, warning from it, overdue only after the due time', () => {
    expect(slaState({ dueAt: due, warnAt: warn }, at('2026-11-24T08:29:59+08:00'))).toBe('on_track')
    expect(slaState({ dueAt: due, warnAt: warn }, at(warn))).toBe('warning')
    expect(slaState({ dueAt: due, warnAt: warn }, at(due))).toBe('warning')
    expect(slaState({ dueAt: due, warnAt: warn }, at(due) + 1)).toBe('overdue')
  })

  it('a settled stage is met or missed by when it was done, whatever the time now', () => {
    expect(slaState({ dueAt: due, settledAt: due }, at('2027-01-01T00:00:00Z'))).toBe('met')
    expect(slaState({ dueAt: due, settledAt: '2026-11-24T10:00:01+08:00' }, 0)).toBe('missed')
  })

  it('without the warning line, the server state is a floor and the due time is live', () => {
    const loaded = { dueAt: due, serverState: 'warning' }
    expect(slaState(loaded, at('2026-11-24T09:00:00+08:00'))).toBe('warning')
    expect(slaState(loaded, at(due) + 60_000)).toBe('overdue')
    expect(slaState({ dueAt: due, serverState: 'on_track' }, at('2026-11-24T09:59:00+08:00'))).toBe('on_track')
    expect(slaState({ dueAt: due, serverState: 'met' }, at(due) + 60_000)).toBe('met')
  })

  it('honest colours: green on track, amber warning, red overdue', () => {
    expect(SLA_TONES.on_track).toBe('success')
    expect(SLA_TONES.warning).toBe('warning')
    expect(SLA_TONES.overdue).toBe('danger')
    expect(SLA_TONES.missed).toBe('danger')
  })
})

describe('countdown', () => {
  it('says what is left, or how late, in days, hours and minutes', () => {
    expect(countdown(due, at(due) - (2 * 24 + 3) * 3_600_000)).toBe('剩 2天3小时')
    expect(countdown(due, at(due) - 90 * 60_000)).toBe('剩 1小时30分')
    expect(countdown(due, at(due) - 30_000)).toBe('剩 0分')
    expect(countdown(due, at(due) + 45 * 60_000)).toBe('超期 45分')
    expect(countdown(due, at(due) + 1_000)).toBe('超期 1分')
    expect(countdown(null, 0)).toBe('')
  })
})

describe('stagesRun: no clock while the centre holds the case', () => {
  it('stops for 登记 and 立案 (a re-sorted case keeps the last round’s deadlines)', () => {
    expect(stagesRun('received')).toBe(false)
    expect(stagesRun('registered')).toBe(false)
  })
  it('runs once a unit holds it, and after', () => {
    for (const status of ['dispatched', 'accepted', 'returned', 'replied', 'verifying', 'callback_pending']) {
      expect(stagesRun(status)).toBe(true)
    }
  })
})
