import { describe, expect, it } from 'vitest'
import { currentDue, formatWorking, inboxOrder, periodsCover, shareOf, workingMinutesBetween, type InboxCase } from '../inbox'

const row = (number: string, sla: string | null, reply: string | null, status = 'accepted', accept: string | null = null): InboxCase => ({
  number, status, sla_state: sla, reply_due_at: reply, accept_due_at: accept,
})

describe('inboxOrder', () => {
  it('puts overdue, then supervised, then warning cases first, each by nearest deadline', () => {
    const rows = [
      row('A', 'on_track', '2026-12-08T03:00:00Z'),
      row('B', 'warning', '2026-12-09T03:00:00Z'),
      row('C', 'overdue', '2026-12-07T03:00:00Z'),
      row('D', 'on_track', '2026-12-20T03:00:00Z'),
      row('E', 'on_track', null),
      row('F', 'overdue', '2026-12-06T03:00:00Z'),
    ]
    const order = inboxOrder(rows, new Set(['D'])).map((r) => r.number)
    expect(order).toEqual(['F', 'C', 'D', 'B', 'A', 'E'])
    expect(rows[0]!.number).toBe('A') // the input is left as it was
  })

  it('orders a case waiting for acceptance by its acceptance deadline', () => {
    const waiting = row('W', 'on_track', '2026-12-20T03:00:00Z', 'dispatched', '2026-12-08T01:00:00Z')
    const working = row('X', 'on_track', '2026-12-10T03:00:00Z')
    expect(currentDue(waiting)).toBe('2026-12-08T01:00:00Z')
    expect(inboxOrder([working, waiting], new Set()).map((r) => r.number)).toEqual(['W', 'X'])
  })
})

describe('working time', () => {
  // Two working days (local 09:00–12:00, 13:30–17:30 in UTC+8), a weekend between them.
  const periods = [
    { start: '2026-12-04T01:00:00Z', end: '2026-12-04T04:00:00Z' },
    { start: '2026-12-04T05:30:00Z', end: '2026-12-04T09:30:00Z' },
    { start: '2026-12-07T01:00:00Z', end: '2026-12-07T04:00:00Z' },
    { start: '2026-12-07T05:30:00Z', end: '2026-12-07T09:30:00Z' },
  ]
  const at = (iso: string): number => Date.parse(iso)

  it('counts only the minutes inside working periods', () => {
    // Friday 11:00 local → Monday 10:00 local: 1 h + 4 h on Friday, 1 h on Monday.
    expect(workingMinutesBetween(periods, at('2026-12-04T03:00:00Z'), at('2026-12-07T02:00:00Z'))).toBe(360)
  })

  it('is negative after the deadline, as the server counts', () => {
    expect(workingMinutesBetween(periods, at('2026-12-07T02:00:00Z'), at('2026-12-04T03:00:00Z'))).toBe(-360)
  })

  it('says working days, hours and minutes in Chinese', () => {
    expect(formatWorking(420 + 125)).toBe('剩 1个工作日2小时')
    expect(formatWorking(840)).toBe('剩 2个工作日')
    expect(formatWorking(90)).toBe('剩 1小时30分')
    expect(formatWorking(-45)).toBe('超期 45分')
    expect(formatWorking(0)).toBe('剩 0分')
  })

  it('knows when the periods do not reach the deadline', () => {
    expect(periodsCover(periods, at('2026-12-04T03:00:00Z'), at('2026-12-07T02:00:00Z'))).toBe(true)
    expect(periodsCover(periods, at('2026-12-04T03:00:00Z'), at('2026-12-09T02:00:00Z'))).toBe(false)
    expect(periodsCover([], 0, 1)).toBe(false)
  })
})

describe('shareOf', () => {
  it('tells a co-unit owing an opinion from a unit holding the case', () => {
    const assignments = [
      { unit: 'LX-CGJ', role: 'lead', status: 'accepted' },
      { unit: 'LX-JFL', role: 'lead', status: 'pending' },
      { unit: 'LX-QCL', role: 'co', status: 'pending' },
      { unit: 'SZ-CGJ', role: 'co', status: 'replied' },
    ]
    expect(shareOf(assignments, 'LX-JFL')).toBe('holding')
    expect(shareOf(assignments, 'LX-QCL')).toBe('co')
    expect(shareOf(assignments, 'SZ-CGJ')).toBe('none')
    expect(shareOf(assignments, 'HY-CGJ')).toBe('none')
  })
})
