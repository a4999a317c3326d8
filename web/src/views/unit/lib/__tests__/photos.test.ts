import { describe, expect, it } from 'vitest'
import { carryExif, exifCaptureTime, fitWithin, MAX_PIXELS } from '../photos'

/** A minimal JPEG start with an EXIF block: IFD0 → Exif IFD → DateTimeOriginal (big-endian). */
function jpegWithExif(time: string, little = false): ArrayBuffer {
  const text = new TextEncoder().encode(`${time}\0`) // 20 bytes
  const tiff: number[] = []
  const u16 = (v: number): number[] => (little ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff])
  const u32 = (v: number): number[] => (little ? [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24] : [v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff])
  tiff.push(...(little ? [0x49, 0x49] : [0x4d, 0x4d]), ...u16(42), ...u32(8))
  // IFD0 at 8: one entry, the Exif IFD pointer → 26
  tiff.push(...u16(1), ...u16(0x8769), ...u16(4), ...u32(1), ...u32(26), ...u32(0))
  // Exif IFD at 26: DateTimeOriginal, ASCII, 20 bytes at 44
  tiff.push(...u16(1), ...u16(0x9003), ...u16(2), ...u32(20), ...u32(44), ...u32(0))
  tiff.push(...text)
  const app1 = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]
  const length = app1.length + 2
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, length >> 8, length & 0xff, ...app1, 0xff, 0xda, 0, 2]).buffer
}

describe('fitWithin', () => {
  it('keeps a small photo as it is', () => {
    expect(fitWithin(1600, 1200)).toEqual({ width: 1600, height: 1200 })
  })

  it('shrinks a 12 MP photo to at most 2 MP with the same proportions', () => {
    const size = fitWithin(4000, 3000)
    expect(size.width * size.height).toBeLessThanOrEqual(MAX_PIXELS)
    expect(size.width * size.height).toBeGreaterThan(MAX_PIXELS * 0.99)
    expect(Math.abs(size.width / size.height - 4 / 3)).toBeLessThan(0.01)
  })

  it('handles portrait and degenerate sizes', () => {
    const tall = fitWithin(3024, 4032)
    expect(tall.height).toBeGreaterThan(tall.width)
    expect(tall.width * tall.height).toBeLessThanOrEqual(MAX_PIXELS)
    expect(fitWithin(0, 100)).toEqual({ width: 0, height: 0 })
  })
})

describe('exifCaptureTime', () => {
  it('reads DateTimeOriginal, big- and little-endian', () => {
    expect(exifCaptureTime(jpegWithExif('2026:12:08 09:41:05'))).toBe('2026-12-08T09:41:05')
    expect(exifCaptureTime(jpegWithExif('2026:12:08 09:41:05', true))).toBe('2026-12-08T09:41:05')
  })

  it('gives null for no JPEG, no EXIF or an empty time', () => {
    expect(exifCaptureTime(new Uint8Array([0x89, 0x50, 0x4e, 0x47]).buffer)).toBeNull()
    expect(exifCaptureTime(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2]).buffer)).toBeNull()
    expect(exifCaptureTime(jpegWithExif('0000:00:00 00:00:00'))).toBeNull()
  })
})

describe('carryExif', () => {
  const encoded = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0x4a, 0x46, 0xff, 0xda, 0, 2]).buffer

  it('puts the original EXIF block into the re-encoded file, so its time can still be read', () => {
    const carried = carryExif(jpegWithExif('2026:12:08 09:41:05'), encoded)
    expect(exifCaptureTime(carried.slice().buffer)).toBe('2026-12-08T09:41:05')
    expect([...carried.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe1])
    expect([...carried.subarray(carried.length - 4)]).toEqual([0xff, 0xda, 0, 2])
  })

  it('sets the orientation to upright, since the browser already turned the pixels', () => {
    // IFD0 with one entry: Orientation (0x0112, SHORT) = 6, "rotate 90°".
    const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]
    const app1 = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]
    const length = app1.length + 2
    const rotated = new Uint8Array([0xff, 0xd8, 0xff, 0xe1, length >> 8, length & 0xff, ...app1, 0xff, 0xda, 0, 2]).buffer
    const carried = carryExif(rotated, encoded)
    const orientationAt = 4 + 2 + 6 + 8 + 2 + 8 // segment header, Exif\0\0, TIFF header, count, tag+type+count
    expect([carried[orientationAt], carried[orientationAt + 1]]).toEqual([0, 1])
    expect([...new Uint8Array(rotated).subarray(orientationAt, orientationAt + 2)]).toEqual([0, 6]) // the original kept
  })

  it('leaves the file alone when the original has no EXIF', () => {
    const plain = new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2]).buffer
    expect([...carryExif(plain, encoded)]).toEqual([...new Uint8Array(encoded)])
  })
})
