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

/** Working periods from 30 days ago to 90 days ahead (deadlines are rarely further). */
export function useWorkingPeriods(): Ref<WorkingPeriod[] | null> {
  loading ??= (async () => {
    const now = Date.now()
    const from = localDay(new Date(now - 30 * 86_400_000))
    const to = localDay(new Date(now + 90 * 86_400_000))
    try {
      const answer = await api.get<{ items: WorkingPeriod[] }>('/calendar/periods', { from, to })
      periods.value = answer.items
    } catch {
      periods.value = null // clock time, labelled as such
    }
  })()
  return periods
}
