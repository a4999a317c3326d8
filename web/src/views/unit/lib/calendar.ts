// The city's working periods for the coming weeks, loaded once per page load, so that time left
// is counted in working time as the server counts deadlines (holidays and make-up days included).
// Without them (an older server) the pages count clock time and say so.
import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import type { WorkingPeriod } from './inbox'

const periods = ref<WorkingPeriod[] | null>(null)
let loading: Promise<void> | null = null

function localDay(moment: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`
}

/** Working periods from 40 days ago to 50 days ahead: the API gives at most 92 days at once,
 * and an inbox's deadlines lie within weeks (further ones are counted in clock time). */
export function useWorkingPeriods(): Ref<WorkingPeriod[] | null> {
  loading ??= (async () => {
    const now = Date.now()
    const from = localDay(new Date(now - 40 * 86_400_000))
    const to = localDay(new Date(now + 50 * 86_400_000))
    try {
      const answer = await api.get<{ items: WorkingPeriod[] }>('/calendar/periods', { from, to })
      periods.value = answer.items
    } catch {
      periods.value = null // clock time, labelled as such
    }
  })()
  return periods
}
