// What the unit pages send: photos (with where and when they were taken), then the action.
//
// Photos go first: the server's on-site evidence rule (现场处置) looks for an "after" photo with a
// position when the reply arrives. An upload is itself a change to the case, so the action is
// sent with the version read after the uploads; that the case is still in the state the person
// saw is checked by the action itself (the server refuses an action the state no longer allows).
import { request } from '@/api/client'
import type { CaseOut } from '@/api/types'
import { actOnCase, failureOf, type ActResult } from '@/views/desks/lib/act'
import type { Position, PreparedPhoto } from './photos'

export type PhotoKind = 'before' | 'after'

export interface FieldPhoto {
  kind: PhotoKind
  photo: PreparedPhoto
  /** Where the phone was when the photo was chosen; null when it could not tell. */
  position: Position | null
  /** When the photo was taken (the moment it was chosen in the page). */
  takenAt: string
}

/** The photos as upload requests: one per kind (the API takes one `kind` per request, any
 * number of files), split again where some photos have a position and others not (position
 * fields go once per file, in file order, or not at all). Two "after" photos: one request. */
export function uploadGroups(photos: readonly FieldPhoto[]): FieldPhoto[][] {
  const groups = new Map<string, FieldPhoto[]>()
  for (const item of photos) {
    const key = `${item.kind}:${item.position ? 'placed' : 'unplaced'}`
    groups.set(key, [...(groups.get(key) ?? []), item])
  }
  return [...groups.values()]
}

/** The multipart body of one upload: the files and, per file in the same order, what the
 * attachment keeps about it (where and when it was taken). */
export function photoForm(group: readonly FieldPhoto[]): FormData {
  const form = new FormData()
  form.append('kind', group[0]?.kind ?? 'after')
  for (const item of group) {
    form.append('file', item.photo.blob, item.photo.name)
    form.append('captured_at', item.takenAt)
    if (item.position) {
      form.append('longitude', String(item.position.longitude))
      form.append('latitude', String(item.position.latitude))
      form.append('accuracy', String(item.position.accuracy))
    }
  }
  return form
}

export async function uploadPhotos(number: string, photos: readonly FieldPhoto[]): Promise<void> {
  for (const group of uploadGroups(photos)) {
    await request('POST', `/cases/${encodeURIComponent(number)}/attachments`, { body: photoForm(group) })
  }
}

/** Upload the photos, then take the action on the case as it is now. */
export async function actWithPhotos(
  number: string, version: number, photos: readonly FieldPhoto[], body: Record<string, unknown>,
): Promise<ActResult> {
  let current = version
  try {
    if (photos.length) {
      await uploadPhotos(number, photos)
      const fresh = await request<CaseOut>('GET', `/cases/${encodeURIComponent(number)}`)
      current = fresh.version ?? fresh.data.version
    }
  } catch (error) {
    return failureOf(error)
  }
  return actOnCase(encodeURIComponent(number), current, body)
}
