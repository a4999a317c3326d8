import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Latest, debounce } from '../latest'

describe('debounce', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('calls once with the last arguments after the pause', () => {
    const seen: string[] = []
    const typed = debounce((text: string) => seen.push(text), 300)
    typed('夜')
    vi.advanceTimersByTime(200)
    typed('夜间施工')
    vi.advanceTimersByTime(299)
    expect(seen).toEqual([])
    vi.advanceTimersByTime(1)
    expect(seen).toEqual(['夜间施工'])
  })

  it('can be cancelled or flushed', () => {
    const seen: string[] = []
    const typed = debounce((text: string) => seen.push(text), 300)
    typed('a')
    typed.cancel()
    vi.advanceTimersByTime(500)
    typed('b')
    typed.flush()
    typed.flush()
    expect(seen).toEqual(['b'])
  })
})

describe('Latest', () => {
  it('lets only the newest answer in', () => {
    const latest = new Latest()
    const first = latest.begin()
    const second = latest.begin()
    expect(latest.isCurrent(first)).toBe(false)
    expect(latest.isCurrent(second)).toBe(true)
    latest.invalidate()
    expect(latest.isCurrent(second)).toBe(false)
  })
})
