// Times as people at the centre read them: local time, to the minute.

const pad = (value: number): string => String(value).padStart(2, '0')

/** `2026-11-24T02:05:00+00:00` → `2026-11-24 10:05` in the browser's time zone. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const moment = new Date(iso)
  if (Number.isNaN(moment.getTime())) return ''
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())} ${pad(moment.getHours())}:${pad(moment.getMinutes())}`
}

/** `…T02:05:00+00:00` → `11-24 10:05`: for dense tables within one year. */
export function formatShortTime(iso: string | null | undefined): string {
  return formatTime(iso).slice(5)
}

/** A link from stored text that is safe to put in `href`: http(s) only (never `javascript:`). */
export function safeHttpUrl(text: string | null | undefined): string | null {
  if (!text) return null
  try {
    const url = new URL(text.trim())
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}
