// Small readers for the case view.
import type { CaseOut } from '@/api/types'

/** The API's `sla` state of one stage (`accept` / `reply`) when the view was loaded. */
export function stageState(view: CaseOut, stage: 'accept' | 'reply'): string | null {
  return view.sla[stage] ?? null
}

/** A field of an untyped record as text ('' when absent). */
export function field(record: Record<string, unknown>, key: string): string {
  const value = record[key]
  return typeof value === 'string' || typeof value === 'number' ? String(value) : ''
}
