import { describe, expect, it } from 'vitest'
import { homeFor, placesAfterLogin, safeRedirect } from './home'

describe('role home', () => {
  it('sends each role to its desk', () => {
    expect(homeFor('operator')).toEqual({ path: '/intake' })
    expect(homeFor('dispatcher')).toEqual({ path: '/dispatch' })
    expect(homeFor('handler')).toEqual({ path: '/unit' })
    expect(homeFor('inspector')).toEqual({ path: '/inspect' })
    expect(homeFor('handler', true)).toEqual({ path: '/m' })
    expect(homeFor('inspector', true)).toEqual({ path: '/m' })
    expect(homeFor('operator', true)).toEqual({ path: '/intake' })
    expect(homeFor('leader')).toEqual({ path: '/cases' })
  })

  it('follows only redirects inside the app', () => {
    expect(safeRedirect('/cases?sla=overdue')).toBe('/cases?sla=overdue')
    expect(safeRedirect('//evil.example/x')).toBeNull()
    expect(safeRedirect('https://evil.example')).toBeNull()
    expect(safeRedirect('/\\evil.example')).toBeNull()
    expect(safeRedirect('/login?redirect=/x')).toBeNull()
    expect(safeRedirect(['/cases'])).toBeNull()
  })

  it('knows where a login can lead: the page asked for, else the homes', () => {
    expect(placesAfterLogin('/cases/20261124-000001')).toEqual(['/cases/20261124-000001'])
    expect(placesAfterLogin(undefined)).toEqual(['/intake', '/dispatch', '/unit', '/inspect', '/cases'])
    expect(placesAfterLogin('//evil.example')).toEqual(placesAfterLogin(undefined))
  })
})
