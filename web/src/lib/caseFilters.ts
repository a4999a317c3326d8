// The case list's filters ↔ the page URL's query, and → the API's query parameters.
// The URL is the filters' one home: links can be shared, a reload keeps them, Back undoes one.
// Only values the API accepts survive the trip from the URL; anything else is dropped, not sent.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { Query } from '@/api/client'

export const STATUSES = [
  'received', 'registered', 'answered_directly', 'void', 'dispatched', 'accepted',
  'returned', 'replied', 'verifying', 'callback_pending', 'closed',
] as const
export type Status = (typeof STATUSES)[number]

export const SLA_FILTERS = ['on_track', 'warning', 'overdue'] as const
export type SlaFilter = (typeof SLA_FILTERS)[number]

export const SORT_FIELDS = ['reply_due', 'accept_due', 'created', 'updated'] as const
export type SortField = (typeof SORT_FIELDS)[number]
export type Sort = SortField | `-${SortField}`
export const DEFAULT_SORT: Sort = '-created'

export const MINE = ['created', 'unit'] as const
export type Mine = (typeof MINE)[number]
export const PENDING = ['extension', 'return'] as const
export type Pending = (typeof PENDING)[number]

export const PAGE_SIZES = [20, 50, 100, 200] as const
export const DEFAULT_PAGE_SIZE = 50

export interface CaseFilters {
  status: Status[]
  sla: SlaFilter[]
  district: string
  unit: string
  category: string
  channel: string
  /** Local dates YYYY-MM-DD, both inclusive. */
  from: string
  to: string
  q: string
  mine: Mine | ''
  problem: number | null
  pending: Pending | ''
  sort: Sort
  page: number
  pageSize: number
}

export function emptyFilters(): CaseFilters {
  return {
    status: [], sla: [], district: '', unit: '', category: '', channel: '', from: '', to: '',
    q: '', mine: '', problem: null, pending: '', sort: DEFAULT_SORT, page: 1, pageSize: DEFAULT_PAGE_SIZE,
  }
}

type Raw = LocationQuery[string] | undefined

function all(value: Raw): string[] {
  const values = Array.isArray(value) ? value : [value]
  return values.filter((item): item is string => typeof item === 'string' && item !== '')
}

function first(value: Raw): string {
  return all(value)[0] ?? ''
}

function oneOf<T extends string>(allowed: readonly T[], value: string): T | '' {
  return (allowed as readonly string[]).includes(value) ? (value as T) : ''
}

function someOf<T extends string>(allowed: readonly T[], value: Raw): T[] {
  const picked = all(value).filter((item): item is T => (allowed as readonly string[]).includes(item))
  return [...new Set(picked)]
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const CODE = /^[\w.-]{1,32}$/

function date(value: Raw): string {
  const text = first(value)
  return DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) ? text : ''
}

function code(value: Raw): string {
  const text = first(value)
  return CODE.test(text) ? text : ''
}

function positive(value: Raw, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = first(value)
  if (!/^\d{1,9}$/.test(text)) return fallback
  const number = Number(text)
  return number >= 1 && number <= max ? number : fallback
}

function sortOf(value: Raw): Sort {
  const text = first(value)
  const field = text.startsWith('-') ? text.slice(1) : text
  return oneOf(SORT_FIELDS, field) ? (text as Sort) : DEFAULT_SORT
}

/** The filters a URL query stands for; unknown or malformed values fall back to "no filter". */
export function filtersFromQuery(query: LocationQuery): CaseFilters {
  const size = positive(query.page_size, DEFAULT_PAGE_SIZE, 500)
  const problem = positive(query.problem, 0)
  return {
    status: someOf(STATUSES, query.status),
    sla: someOf(SLA_FILTERS, query.sla),
    district: code(query.district),
    unit: code(query.unit),
    category: code(query.category),
    channel: code(query.channel),
    from: date(query.from),
    to: date(query.to),
    q: first(query.q).trim().slice(0, 100),
    mine: oneOf(MINE, first(query.mine)),
    problem: problem || null,
    pending: oneOf(PENDING, first(query.pending)),
    sort: sortOf(query.sort),
    page: positive(query.page, 1),
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
  }
}

/** The URL query for filters: defaults left out, so the plain list has a plain URL. */
export function filtersToQuery(filters: CaseFilters): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  if (filters.status.length) query.status = [...filters.status]
  if (filters.sla.length) query.sla = [...filters.sla]
  for (const name of ['district', 'unit', 'category', 'channel', 'from', 'to', 'q', 'mine', 'pending'] as const) {
    if (filters[name]) query[name] = filters[name]
  }
  if (filters.problem) query.problem = String(filters.problem)
  if (filters.sort !== DEFAULT_SORT) query.sort = filters.sort
  if (filters.page > 1) query.page = String(filters.page)
  if (filters.pageSize !== DEFAULT_PAGE_SIZE) query.page_size = String(filters.pageSize)
  return query
}

function nextDay(day: string): string {
  const moment = new Date(`${day}T00:00:00Z`)
  moment.setUTCDate(moment.getUTCDate() + 1)
  return moment.toISOString().slice(0, 10)
}

/** The `GET /api/v1/cases` parameters. Dates are local days: the API reads a time without an
 * offset as the city's local time, and `created_to` is exclusive, so "to" becomes the next day. */
export function apiQuery(filters: CaseFilters): Query {
  return {
    status: filters.status,
    sla: filters.sla,
    district: filters.district,
    unit: filters.unit,
    category: filters.category,
    channel: filters.channel,
    created_from: filters.from ? `${filters.from}T00:00:00` : undefined,
    created_to: filters.to ? `${nextDay(filters.to)}T00:00:00` : undefined,
    q: filters.q,
    mine: filters.mine,
    problem: filters.problem ?? undefined,
    pending: filters.pending,
    sort: filters.sort,
    page: filters.page,
    page_size: filters.pageSize,
  }
}

/** Table columns that sort, by the column's `prop`. */
export const SORTABLE_COLUMNS: Record<string, SortField> = {
  created_at: 'created',
  updated_at: 'updated',
  accept_due_at: 'accept_due',
  reply_due_at: 'reply_due',
}

export type ColumnOrder = 'ascending' | 'descending' | null

/** A click on a column header (el-table `sort-change`) → the API sort; null order → default. */
export function sortFromColumn(prop: string | null, order: ColumnOrder): Sort {
  const field = prop ? SORTABLE_COLUMNS[prop] : undefined
  if (!field || !order) return DEFAULT_SORT
  return order === 'descending' ? `-${field}` : field
}

/** The column arrow for a sort (el-table `default-sort`). */
export function columnOfSort(sort: Sort): { prop: string; order: 'ascending' | 'descending' } {
  const descending = sort.startsWith('-')
  const field = (descending ? sort.slice(1) : sort) as SortField
  const prop = Object.keys(SORTABLE_COLUMNS).find((key) => SORTABLE_COLUMNS[key] === field) ?? 'created_at'
  return { prop, order: descending ? 'descending' : 'ascending' }
}

/** Whether any filter other than sort and paging is set (to offer 「清空条件」). */
export function isFiltered(filters: CaseFilters): boolean {
  const plain = filtersToQuery({ ...filters, sort: DEFAULT_SORT, page: 1, pageSize: DEFAULT_PAGE_SIZE })
  return Object.keys(plain).length > 0
}
