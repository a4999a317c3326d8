import { describe, expect, it } from 'vitest'
import type { HistoryEvent } from '@/api/types'
import { coOpinions, coUnitsWaiting } from '../coOpinions'

const event = (action: string, details: Record<string, unknown>, name: string | null = '周海'): HistoryEvent => ({
  seq: 1, action, actor: 'jfl-h', actor_name: name, at: '2026-12-08T01:00:00Z',
  from_status: null, to_status: null, reason: null, details, hash: '',
})

describe('coOpinions', () => {
  it('reads the co-units opinions from the history, nothing else', () => {
    const history = [
      event('dispatch', { unit: 'LX-CGJ', co_units: ['LX-QCL'] }),
      event('co_opinion', { unit: 'LX-QCL', opinion: '该路段属我街道，可配合夜查' }),
      event('co_opinion', { unit: 'LX-JFL', opinion: '' }, null),
    ]
    expect(coOpinions(history)).toEqual([
      { unit: 'LX-QCL', opinion: '该路段属我街道，可配合夜查', at: '2026-12-08T01:00:00Z', by: '周海' },
    ])
  })

  it('lists the co-units still owing an opinion', () => {
    const assignments = [
      { unit: 'LX-CGJ', role: 'lead', status: 'accepted' },
      { unit: 'LX-QCL', role: 'co', status: 'pending' },
      { unit: 'LX-JFL', role: 'co', status: 'replied' },
      { unit: 'LX-XX', role: 'co', status: 'ended' },
    ]
    expect(coUnitsWaiting(assignments)).toEqual(['LX-QCL'])
  })
})
