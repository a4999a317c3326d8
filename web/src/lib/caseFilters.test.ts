import { describe, expect, it } from 'vitest'
import {
  DEFAULT_SORT, apiQuery, columnOfSort, emptyFilters, filtersFromQuery, filtersToQuery, isFiltered, sortFromColumn,
} from './caseFilters'

describe('filters ↔ URL', () => {
  it('the plain list has an empty query', () => {
    expect(filtersToQuery(emptyFilters())).toEqual({})
    expect(filtersFromQuery({})).toEqual(emptyFilters())
  })

  it('every filter survives a round trip through the URL', () => {
    const filters = {
      ...emptyFilters(),
      status: ['dispatched' as const, 'accepted' as const],
      sla: ['overdue' as const],
      district: '370102', unit: 'LX-CGJ', category: 'E0301', channel: '12345',
      from: '2026-11-01', to: '2026-11-30', q: '烧烤', mine: 'unit' as const, problem: 42,
      pending: 'extension' as const, sort: 'reply_due' as const, page: 3, pageSize: 100,
    }
    const query = filtersToQuery(filters)
    expect(query).toMatchObject({ status: ['dispatched', 'accepted'], sla: ['overdue'], problem: '42', page: '3', page_size: '100', sort: 'reply_due' })
    expect(filtersFromQuery(query as never)).toEqual(filters)
  })

  it('a single repeated parameter arrives as a string and still reads as a list', () => {
    expect(filtersFromQuery({ status: 'closed', sla: 'warning' })).toMatchObject({ status: ['closed'], sla: ['warning'] })
  })

  it('drops values the API would refuse instead of sending them', () => {
    const filters = filtersFromQuery({
      status: ['closed', 'nonsense', 'closed'], sla: 'late', sort: '-name', mine: 'all', pending: 'x',
      page: '-1', page_size: '7', problem: 'abc', from: '2026-13-45', to: 'yesterday', unit: 'a b',
    })
    expect(filters).toEqual({ ...emptyFilters(), status: ['closed'] })
  })

  it('trims the search text and ignores empty parameters', () => {
    expect(filtersFromQuery({ q: '  井盖  ', district: '' })).toMatchObject({ q: '井盖', district: '' })
  })
})

describe('filters → API', () => {
  it('dates are local days; the end day is included by asking up to the next midnight', () => {
    const query = apiQuery({ ...emptyFilters(), from: '2026-12-31', to: '2026-12-31' })
    expect(query.created_from).toBe('2026-12-31T00:00:00')
    expect(query.created_to).toBe('2027-01-01T00:00:00')
  })

  it('sends sort, paging and repeatable filters as lists', () => {
    const query = apiQuery({ ...emptyFilters(), status: ['closed', 'void'], sort: '-accept_due', page: 2 })
    expect(query).toMatchObject({ status: ['closed', 'void'], sort: '-accept_due', page: 2, page_size: 50 })
    expect(query.problem).toBeUndefined()
  })
})

describe('column sorting', () => {
  it('maps a header click to the API sort and back', () => {
    expect(sortFromColumn('reply_due_at', 'ascending')).toBe('reply_due')
    expect(sortFromColumn('updated_at', 'descending')).toBe('-updated')
    expect(sortFromColumn('reply_due_at', null)).toBe(DEFAULT_SORT)
    expect(sortFromColumn('content', 'ascending')).toBe(DEFAULT_SORT)
    expect(columnOfSort('-accept_due')).toEqual({ prop: 'accept_due_at', order: 'descending' })
    expect(columnOfSort('created')).toEqual({ prop: 'created_at', order: 'ascending' })
  })

  it('sorting and paging alone are not filters', () => {
    expect(isFiltered({ ...emptyFilters(), sort: 'created', page: 4 })).toBe(false)
    expect(isFiltered({ ...emptyFilters(), q: '噪音' })).toBe(true)
  })
})
