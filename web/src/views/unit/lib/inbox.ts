// The unit's inbox: which cases come first and how much working time is left on each.
//
// Order: overdue first, then cases under supervision (督办), then those past their warning line,
// then the rest; within each group the nearest deadline first (cases without one last). The
// deadline that matters is the one the unit is working against now: acceptance while the case
// waits to be accepted, the reply otherwise.

export interface InboxCase {
  number: string
  status: string
  sla_state?: string | null
  accept_due_at: string | null
  reply_due_at: string | null
}

/** A working period of the city's calendar, [start, end) as ISO times. */
export interface WorkingPeriod {
  start: string
  end: string
}

/** The deadline the holding unit works against now. */
export function currentDue(row: InboxCase): string | null {
  return row.status === 'dispatched' ? (row.accept_due_at ?? row.reply_due_at) : row.reply_due_at
}

function rank(row: InboxCase, supervised: ReadonlySet<string>): number {
  if (row.sla_state === 'overdue') return 0
  if (supervised.has(row.number)) return 1
  if (row.sla_state === 'warning') return 2
  return 3
}

function dueTime(row: InboxCase): number {
  const due = currentDue(row)
  const time = due ? Date.parse(due) : Number.NaN
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time
}

/** The inbox in working order (a new array; the input is not changed). */
export function inboxOrder<T extends InboxCase>(rows: readonly T[], supervised: ReadonlySet<string>): T[] {
  return [...rows].sort(
    (a, b) => rank(a, supervised) - rank(b, supervised) || dueTime(a) - dueTime(b) || a.number.localeCompare(b.number),
  )
}

const MINUTE = 60_000

/** Working minutes from `from` to `to` (ms) over the calendar's periods; negative when `to` is
 * earlier (time left after a breach), like the server's `working_minutes_between`. */
export function workingMinutesBetween(periods: readonly WorkingPeriod[], from: number, to: number): number {
  const [low, high, sign] = from <= to ? [from, to, 1] : [to, from, -1]
  let total = 0
  for (const period of periods) {
    const start = Math.max(Date.parse(period.start), low)
    const end = Math.min(Date.parse(period.end), high)
    if (end > start) total += end - start
  }
  return sign * Math.floor(total / MINUTE)
}

/** 「剩 1个工作日2小时」「超期 3小时10分」 for working minutes, a day being `dayMinutes`. */
export function formatWorking(minutes: number, dayMinutes = 420): string {
  const span = Math.abs(minutes)
  const days = Math.floor(span / dayMinutes)
  const hours = Math.floor((span % dayMinutes) / 60)
  const rest = span % 60
  let text: string
  if (days > 0) text = hours > 0 ? `${days}个工作日${hours}小时` : `${days}个工作日`
  else if (hours > 0) text = rest > 0 ? `${hours}小时${rest}分` : `${hours}小时`
  else text = `${rest}分`
  return minutes >= 0 ? `剩 ${text}` : `超期 ${text}`
}

/** The periods cover the span asked about (otherwise the count would silently come up short). */
export function periodsCover(periods: readonly WorkingPeriod[], from: number, to: number): boolean {
  if (!periods.length) return false
  const first = Date.parse(periods[0]!.start)
  const last = Date.parse(periods[periods.length - 1]!.end)
  return first <= Math.min(from, to) + 24 * 60 * MINUTE && last >= Math.max(from, to)
}

export interface ShareAssignment {
  unit: string | null
  role: string
  status: string
}

/** What a unit has to do on a case, from its assignments: `co` a co-unit's opinion still owed,
 * `holding` the lead chain's work is in its hands, `none` nothing now (done, ended, passed on). */
export function shareOf(assignments: readonly ShareAssignment[], unit: string): 'co' | 'holding' | 'none' {
  const mine = assignments.filter((a) => a.unit === unit && (a.status === 'pending' || a.status === 'accepted'))
  if (mine.some((a) => a.role === 'lead')) return 'holding'
  if (mine.some((a) => a.role === 'co')) return 'co'
  return 'none'
}
