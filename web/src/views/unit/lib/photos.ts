// Photos from the field: resized in the browser to at most 2 megapixels before they are sent
// (a phone camera's 12 MP would take a minute on a street's mobile network). Re-encoding drops
// the camera's EXIF block, so it is carried over into the new file: the server reads the
// camera's time (DateTimeOriginal) from it.

export const MAX_PIXELS = 2_000_000

/** The largest size with the same proportions and at most `maxPixels` pixels. */
export function fitWithin(width: number, height: number, maxPixels = MAX_PIXELS): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 }
  if (width * height <= maxPixels) return { width, height }
  const scale = Math.sqrt(maxPixels / (width * height))
  let w = Math.max(1, Math.floor(width * scale))
  let h = Math.max(1, Math.floor(height * scale))
  while (w * h > maxPixels) {
    if (w >= h) w -= 1
    else h -= 1
  }
  return { width: w, height: h }
}

const ASCII = new TextDecoder('ascii')

function ifdEntries(view: DataView, offset: number, little: boolean): Map<number, number> {
  // tag → offset of the entry's 12 bytes
  const entries = new Map<number, number>()
  if (offset + 2 > view.byteLength) return entries
  const count = view.getUint16(offset, little)
  for (let i = 0; i < count; i += 1) {
    const at = offset + 2 + i * 12
    if (at + 12 > view.byteLength) break
    entries.set(view.getUint16(at, little), at)
  }
  return entries
}

function asciiAt(view: DataView, tiff: number, entry: number, little: boolean): string | null {
  const count = view.getUint32(entry + 4, little)
  const start = count <= 4 ? entry + 8 : tiff + view.getUint32(entry + 8, little)
  if (start + count > view.byteLength) return null
  return ASCII.decode(new Uint8Array(view.buffer, view.byteOffset + start, count)).replace(/\0+$/, '')
}

/** `2026:12:08 09:41:05` → `2026-12-08T09:41:05` (camera local time, no offset). */
function exifTime(text: string | null): string | null {
  const match = text?.match(/^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/)
  if (!match || match[1] === '0000') return null
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}`
}

/** Where a JPEG's EXIF block (APP1 "Exif") is: [start, end) of the whole segment; null if none. */
function exifSegmentRange(view: DataView): [number, number] | null {
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null
  let at = 2
  while (at + 4 <= view.byteLength) {
    const marker = view.getUint16(at)
    const length = view.getUint16(at + 2)
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null // image data: no EXIF before it
    if (marker === 0xffe1 && at + 10 <= view.byteLength && view.getUint32(at + 4) === 0x45786966) {
      return [at, Math.min(at + 2 + length, view.byteLength)]
    }
    at += 2 + length
  }
  return null
}

/** The camera's capture time from a JPEG's EXIF (DateTimeOriginal, else DateTime); null when
 * the file has none or is no JPEG. */
export function exifCaptureTime(bytes: ArrayBuffer): string | null {
  const view = new DataView(bytes)
  const range = exifSegmentRange(view)
  if (!range) return null
  const tiff = range[0] + 10
  const little = view.getUint16(tiff) === 0x4949
  const first = ifdEntries(view, tiff + view.getUint32(tiff + 4, little), little)
  const pointer = first.get(0x8769)
  if (pointer !== undefined) {
    const exif = ifdEntries(view, tiff + view.getUint32(pointer + 8, little), little)
    const original = exif.get(0x9003)
    const found = original === undefined ? null : exifTime(asciiAt(view, tiff, original, little))
    if (found) return found
  }
  const plain = first.get(0x0132)
  return plain === undefined ? null : exifTime(asciiAt(view, tiff, plain, little))
}

/** The original's EXIF block put into the re-encoded JPEG, so the server still reads the
 * camera's time; its orientation set to "as stored", because the browser already turned the
 * pixels upright. The re-encoded file as it was when either has no such block to give or take. */
export function carryExif(original: ArrayBuffer, encoded: ArrayBuffer): Uint8Array<ArrayBuffer> {
  const out: Uint8Array<ArrayBuffer> = new Uint8Array(encoded)
  const source = new DataView(original)
  const range = exifSegmentRange(source)
  if (!range || out.length < 2 || out[0] !== 0xff || out[1] !== 0xd8) return out
  const segment = new Uint8Array(original.slice(range[0], range[1]))
  const view = new DataView(segment.buffer)
  const tiff = 10
  if (segment.length > tiff + 8) {
    const little = view.getUint16(tiff) === 0x4949
    const orientation = ifdEntries(view, tiff + view.getUint32(tiff + 4, little), little).get(0x0112)
    if (orientation !== undefined) view.setUint16(orientation + 8, 1, little)
  }
  const joined = new Uint8Array(out.length + segment.length)
  joined.set(out.subarray(0, 2), 0)
  joined.set(segment, 2)
  joined.set(out.subarray(2), 2 + segment.length)
  return joined
}

export interface PreparedPhoto {
  blob: Blob
  name: string
  width: number
  height: number
  /** The camera's time from EXIF, when the file had it. */
  exifTime: string | null
}

/** Read, shrink to ≤ 2 MP and re-encode as JPEG with the original's EXIF block (a photo already
 * small enough is re-encoded too: one path for every photo, upright whatever the camera did). */
export async function preparePhoto(file: File, maxPixels = MAX_PIXELS): Promise<PreparedPhoto> {
  const original = await file.arrayBuffer()
  const exif = exifCaptureTime(original)
  const bitmap = await createImageBitmap(file) // applies the EXIF orientation
  const size = fitWithin(bitmap.width, bitmap.height, maxPixels)
  const canvas = document.createElement('canvas')
  canvas.width = size.width
  canvas.height = size.height
  const context = canvas.getContext('2d')
  if (!context) throw new Error('浏览器无法处理图片')
  context.drawImage(bitmap, 0, 0, size.width, size.height)
  bitmap.close()
  const encoded = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85))
  if (!encoded) throw new Error('浏览器无法处理图片')
  const blob = new Blob([carryExif(original, await encoded.arrayBuffer())], { type: 'image/jpeg' })
  const name = `${file.name.replace(/\.[^.]*$/, '') || '照片'}.jpg`
  return { blob, name, width: size.width, height: size.height, exifTime: exif }
}

export interface Position {
  longitude: number
  latitude: number
  accuracy: number
  at: string
}

/** The phone's position (needs a secure context: production serves HTTPS). */
export function currentPosition(timeoutMs = 15_000): Promise<Position> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error('此浏览器不能定位'))
      return
    }
    navigator.geolocation.getCurrentPosition(
      (found) => resolve({
        longitude: found.coords.longitude,
        latitude: found.coords.latitude,
        accuracy: found.coords.accuracy,
        at: new Date(found.timestamp).toISOString(),
      }),
      (failure) => reject(new Error(failure.code === failure.PERMISSION_DENIED ? '未允许定位，请在浏览器设置中允许' : '定位失败，请到开阔处重试')),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    )
  })
}
