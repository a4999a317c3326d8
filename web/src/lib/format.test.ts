import { describe, expect, it } from 'vitest'
import { formatShortTime, formatTime, safeHttpUrl } from './format'

describe('format', () => {
  it('writes times to the minute, and nothing for no time', () => {
    const local = formatTime('2026-11-24T02:05:00+00:00')
    expect(local).toMatch(/^2026-11-2[45] \d{2}:05$/)
    expect(formatShortTime('2026-11-24T02:05:00+00:00')).toBe(local.slice(5))
    expect(formatTime(null)).toBe('')
    expect(formatTime('not a time')).toBe('')
  })

  it('links only to http and https', () => {
    expect(safeHttpUrl('https://news.example/a?b=1')).toBe('https://news.example/a?b=1')
    expect(safeHttpUrl(' http://x.example ')).toBe('http://x.example/')
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull()
    expect(safeHttpUrl('JaVaScRiPt:alert(1)')).toBeNull()
    expect(safeHttpUrl('data:text/html,x')).toBeNull()
    expect(safeHttpUrl('济南日报')).toBeNull()
    expect(safeHttpUrl(null)).toBeNull()
  })
})
