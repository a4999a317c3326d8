// The unit's open cases as the inbox shows them (desk and phone share it): in the unit's hands
// or owing a co-unit opinion, supervised ones marked, in working order (lib/inbox.ts).
//
// Live: every 30 s the page asks the small counters endpoint (GET /me/counters) and reloads the
// list only when a figure moved, so a newly dispatched case or supervision appears without a
// reload. The counters are the poll, not the list: a poll does not count as activity, so an
// inbox left open still lets the session end when its idle time is up.
import { computed, onBeforeUnmount, onMounted, ref, type ComputedRef, type Ref } from 'vue'
import { api } from '@/api/client'
import { messageOf } from '@/api/problem'
import type { CaseList, CaseOut, CaseSummary, Schemas } from '@/api/types'
import { useSessionStore } from '@/stores/session'
import { inboxOrder, shareOf } from './inbox'

export const POLL_MS = 30_000
type Counters = Schemas['CountersOut']

/** What the counters say, as one string: the list is reloaded when it changes. */
export function countersPrint(c: Counters): string {
  return [c.inbox, c.new_cases, c.awaiting_accept, c.co_pending, c.warning, c.overdue, c.supervisions_open, c.to_verify]
    .map((value) => value ?? '')
    .join('|')
}

/** Poll the counters every POLL_MS and call `changed` when they move (and when they cannot be
 * read, so that an older server still gets a fresh list). */
function useCountersPoll(changed: () => Promise<void>): void {
  let last: string | null = null
  async function poll(): Promise<void> {
    try {
      const print = countersPrint(await api.get<Counters>('/me/counters'))
      if (last !== null && print !== last) await changed()
      last = print
    } catch {
      await changed()
    }
  }
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    void poll()
    timer = setInterval(() => void poll(), POLL_MS)
  })
  onBeforeUnmount(() => clearInterval(timer))
}
const OPEN_FOR_UNIT = ['dispatched', 'accepted', 'returned']
// Rows whose lead unit is another one and that owe no co-unit opinion (mine=co): passed down to
// this unit, or done with; the list does not say which, the case does. Asked once per version,
// at most this many per load.
const MAX_ASKED = 40

export interface InboxRow extends CaseSummary {
  share: 'holding' | 'co' | 'none'
  supervised: boolean
}

export interface Inbox {
  rows: ComputedRef<InboxRow[]>
  loading: Ref<boolean>
  error: Ref<string>
  /** Cases waiting for this unit to accept them: the count in the page title. */
  waiting: ComputedRef<number>
  reload: (quiet?: boolean) => Promise<void>
}

export function useUnitInbox(): Inbox {
  const session = useSessionStore()
  const items = ref<CaseSummary[]>([])
  const supervised = ref(new Set<string>())
  const shares = new Map<string, { version: number; share: InboxRow['share'] }>()
  const loading = ref(false)
  const error = ref('')
  let latest = 0

  async function shareOfRow(row: CaseSummary, unit: string): Promise<InboxRow['share']> {
    const known = shares.get(row.number)
    if (known && known.version === row.version) return known.share
    const view = await api.get<CaseOut>(`/cases/${encodeURIComponent(row.number)}`)
    const share = shareOf(view.assignments, unit)
    shares.set(row.number, { version: row.version, share })
    return share
  }

  async function reload(quiet = false): Promise<void> {
    const unit = session.session?.unit
    if (!unit) return
    const ticket = ++latest
    if (!quiet) loading.value = true
    try {
      const [list, co, open] = await Promise.all([
        api.get<CaseList>('/cases', { mine: 'unit', status: OPEN_FOR_UNIT, sort: 'reply_due', page_size: 200 }),
        api.get<CaseList>('/cases', { mine: 'co', sort: 'reply_due', page_size: 200 }),
        api.get<Schemas['SupervisionListOut']>('/supervisions', { status: 'open' }).catch(() => ({ items: [] })),
      ])
      const owing = new Set(co.items.map((row) => row.number))
      for (const row of co.items) shares.set(row.number, { version: row.version, share: 'co' })
      // Another lead unit and no opinion owed: passed down to this unit, or this unit's part is
      // done (an opinion given). The case says which.
      const others = list.items.filter((row) => row.lead_unit !== unit && !owing.has(row.number)).slice(0, MAX_ASKED)
      await Promise.all(others.map((row) => shareOfRow(row, unit).catch(() => 'holding' as const)))
      if (ticket !== latest) return
      const seen = new Set(list.items.map((row) => row.number))
      items.value = [...list.items, ...co.items.filter((row) => !seen.has(row.number))]
      supervised.value = new Set(open.items.map((item) => item.case).filter((n): n is string => Boolean(n)))
      error.value = ''
    } catch (caught) {
      if (ticket === latest) error.value = messageOf(caught)
    } finally {
      if (ticket === latest) loading.value = false
    }
  }

  const rows = computed<InboxRow[]>(() => {
    const unit = session.session?.unit ?? ''
    const marked = items.value.map((row) => ({
      ...row,
      share: row.lead_unit === unit ? 'holding' : (shares.get(row.number)?.share ?? 'holding'),
      supervised: supervised.value.has(row.number),
    }) satisfies InboxRow)
    return inboxOrder(marked.filter((row) => row.share !== 'none'), supervised.value)
  })
  const waiting = computed(() => rows.value.filter((row) => row.status === 'dispatched' && row.share === 'holding').length)

  onMounted(() => void reload())
  useCountersPoll(() => reload(true))

  return { rows, loading, error, waiting, reload }
}

/** Cases waiting for on-site verification (核查), nearest deadline first. */
export function useVerifyQueue(): { rows: Ref<CaseSummary[]>; loading: Ref<boolean>; error: Ref<string>; reload: (quiet?: boolean) => Promise<void> } {
  const rows = ref<CaseSummary[]>([])
  const loading = ref(false)
  const error = ref('')
  async function reload(quiet = false): Promise<void> {
    if (!quiet) loading.value = true
    try {
      rows.value = (await api.get<CaseList>('/cases', { status: 'verifying', sort: 'reply_due', page_size: 200 })).items
      error.value = ''
    } catch (caught) {
      error.value = messageOf(caught)
    } finally {
      loading.value = false
    }
  }
  onMounted(() => void reload())
  useCountersPoll(() => reload(true))
  return { rows, loading, error, reload }
}
