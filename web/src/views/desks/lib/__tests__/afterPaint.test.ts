import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { afterPaint } from '../afterPaint'

describe('afterPaint', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('runs the work in a later task, never in the caller', () => {
    const seen: string[] = []
    afterPaint(() => seen.push('panels'))
    seen.push('form')
    expect(seen).toEqual(['form'])
    vi.runAllTimers()
    expect(seen).toEqual(['form', 'panels'])
  })

  it('does nothing once cancelled', () => {
    const seen: string[] = []
    const cancel = afterPaint(() => seen.push('panels'))
    cancel()
    vi.runAllTimers()
    expect(seen).toEqual([])
  })
})
