import { describe, expect, it } from 'vitest'
import { photoForm, uploadGroups, type FieldPhoto } from '../fieldwork'

const here = { longitude: 117.02, latitude: 36.66, accuracy: 12, at: '2026-12-08T01:00:00Z' }
const photo = (kind: 'before' | 'after', placed: boolean, name: string): FieldPhoto => ({
  kind,
  photo: { blob: new Blob(['x'], { type: 'image/jpeg' }), name, width: 1, height: 1, exifTime: null },
  position: placed ? here : null,
  takenAt: '2026-12-08T01:00:05Z',
})

describe('uploadGroups', () => {
  it('sends two after photos in one request', () => {
    const groups = uploadGroups([photo('after', true, 'a.jpg'), photo('after', true, 'b.jpg')])
    expect(groups).toHaveLength(1)
    expect(groups[0]!.map((p) => p.photo.name)).toEqual(['a.jpg', 'b.jpg'])
  })

  it('splits by kind and by whether a position is known', () => {
    const groups = uploadGroups([photo('before', true, 'a'), photo('after', true, 'b'), photo('after', false, 'c'), photo('before', true, 'd')])
    expect(groups.map((g) => g.map((p) => p.photo.name))).toEqual([['a', 'd'], ['b'], ['c']])
  })
})

describe('photoForm', () => {
  it('gives each file its time and position, in file order', () => {
    const form = photoForm([photo('after', true, 'a.jpg'), photo('after', true, 'b.jpg')])
    expect(form.get('kind')).toBe('after')
    expect(form.getAll('file')).toHaveLength(2)
    expect(form.getAll('longitude')).toEqual(['117.02', '117.02'])
    expect(form.getAll('accuracy')).toEqual(['12', '12'])
    expect(form.getAll('captured_at')).toHaveLength(2)
  })

  it('sends no position fields for photos without one', () => {
    const form = photoForm([photo('before', false, 'a.jpg')])
    expect(form.getAll('latitude')).toEqual([])
  })
})
