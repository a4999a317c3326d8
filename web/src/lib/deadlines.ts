// Deadline states and colours, the same rule as the API's `sla` (src/hotline/domain/sla.py):
// settled → met (in time) or missed; past the due time → overdue; past the warning line →
// warning; else on track. The warning line is computed by the server on the working calendar;
// where a view does not carry it, the server's state at load time is used as a floor (a stage
// only moves forward: on track → warning → overdue), and the due time is checked live.

export type SlaState = 'on_track' | 'warning' | 'overdue' | 'met' | 'missed'

export interface Deadline {
  /** ISO 8601 due time; null where the stage has no deadline. */
  dueAt: string | null
  /** ISO 8601 warning line, when the view carries it. */
  warnAt?: string | null
  /** When the stage was done (accepted, replied); null while it is open. */
  settledAt?: string | null
  /** The API's `sla` state of this stage when the view was loaded. */
  serverState?: string | null
}

export type Tone = 'success' | 'warning' | 'danger' | 'info'

const RANK: Record<string, number> = { on_track: 0, warning: 1, overdue: 2 }

export const SLA_LABELS: Record<SlaState, string> = {
  on_track: '正常',
  warning: '预警',
  overdue: '超期',
  met: '按时完成',
  missed: '超期完成',
}

/** green on track, amber warning, red overdue; met is green, missed red, as they ended. */
export const SLA_TONES: Record<SlaState, Tone> = {
  on_track: 'success',
  warning: 'warning',
  overdue: 'danger',
  met: 'success',
  missed: 'danger',
}

function time(iso: string | null | undefined): number | null {
  if (!iso) return null
  const value = Date.parse(iso)
  return Number.isNaN(value) ? null : value
}

/** The state of one stage at `now` (ms since the epoch); null where there is no deadline. */
/** 登记 and 立案: the case is with the centre and no unit's clock runs; a re-sorted case's
 * deadlines are the last round's until the next dispatch (domain/sla.py `stages_run`). */
const CENTRE_HELD = new Set(['received', 'registered'])

export function stagesRun(status: string): boolean {
  return !CENTRE_HELD.has(status)
}

export function slaState(deadline: Deadline, now: number): SlaState | null {
  const due = time(deadline.dueAt)
  if (due === null) return null
  const settled = time(deadline.settledAt)
  if (settled !== null) return settled <= due ? 'met' : 'missed'
  if (deadline.serverState === 'met' || deadline.serverState === 'missed') return deadline.serverState
  if (now > due) return 'overdue'
  const warn = time(deadline.warnAt)
  const live: SlaState = warn !== null && now >= warn ? 'warning' : 'on_track'
  const server = deadline.serverState ?? ''
  return server in RANK && (RANK[server] ?? 0) > RANK[live]! ? (server as SlaState) : live
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Clock time between now and the due time, in Chinese: 「剩 2天3小时」「超期 45分」. */
export function countdown(dueAt: string | null, now: number): string {
  const due = time(dueAt)
  if (due === null) return ''
  const left = due - now
  const span = Math.abs(left)
  const days = Math.floor(span / DAY)
  const hours = Math.floor((span % DAY) / HOUR)
  const minutes = Math.floor((span % HOUR) / MINUTE)
  let text: string
  if (days > 0) text = `${days}天${hours}小时`
  else if (hours > 0) text = `${hours}小时${minutes}分`
  else text = `${Math.max(minutes, left >= 0 ? 0 : 1)}分`
  return left >= 0 ? `剩 ${text}` : `超期 ${text}`
}
