// The co-units' opinions (协办意见) as the lead unit reads them before replying: from the case's
// history, where each `co_opinion` event records the unit and its text.
import type { HistoryEvent } from '@/api/types'

export interface CoOpinion {
  unit: string
  opinion: string
  at: string
  by: string
}

export function coOpinions(history: readonly HistoryEvent[]): CoOpinion[] {
  return history
    .filter((event) => event.action === 'co_opinion')
    .map((event) => {
      const details = event.details as Record<string, unknown>
      return {
        unit: typeof details.unit === 'string' ? details.unit : '',
        opinion: typeof details.opinion === 'string' ? details.opinion : '',
        at: event.at,
        by: event.actor_name || event.actor,
      }
    })
    .filter((item) => item.opinion !== '')
}

/** Co-units that were asked and have not answered yet (their assignment still open). */
export function coUnitsWaiting(assignments: readonly { unit: string | null; role: string; status: string }[]): string[] {
  return assignments
    .filter((a) => a.role === 'co' && (a.status === 'pending' || a.status === 'accepted') && a.unit)
    .map((a) => a.unit as string)
}
