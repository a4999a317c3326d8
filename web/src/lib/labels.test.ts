import { describe, expect, it } from 'vitest'

import { ASSIGNMENT_STATUS_LABELS, labelOf } from './labels'

// The statuses of a unit's share of a case, as src/hotline/domain/vocabulary.py names them.
const ASSIGNMENT_STATUSES = ['pending', 'accepted', 'returned', 'replied', 'ended', 'closed']

describe('assignment status labels', () => {
  it('names every status the server stores, so a co-unit that answered is never 「其他」', () => {
    for (const status of ASSIGNMENT_STATUSES) {
      expect(labelOf(ASSIGNMENT_STATUS_LABELS, status)).not.toBe('其他')
    }
    expect(labelOf(ASSIGNMENT_STATUS_LABELS, 'replied')).toBe('已答复')
  })
})
