import { describe, expect, it } from 'vitest'
import { INTAKE_KEYS, FORM_KEYS, chordFor, chordLabel, chordOf, commandFor, fieldKindOf, ownsKey, type KeyInput } from '../keys'

const press = (key: string, mods: Partial<KeyInput> = {}): KeyInput => ({
  key,
  altKey: false,
  ctrlKey: false,
  shiftKey: false,
  metaKey: false,
  ...mods,
})

describe('commandFor (intake)', () => {
  it('Enter registers from a one-line field but is a new line in a text area', () => {
    expect(commandFor(press('Enter'), 'line', INTAKE_KEYS)).toBe('register')
    expect(commandFor(press('Enter'), 'textarea', INTAKE_KEYS)).toBeNull()
    expect(commandFor(press('Enter', { ctrlKey: true }), 'textarea', INTAKE_KEYS)).toBe('register')
  })

  it('Ctrl+Shift+Enter answers directly from anywhere', () => {
    expect(commandFor(press('Enter', { ctrlKey: true, shiftKey: true }), 'textarea', INTAKE_KEYS)).toBe('answer')
    expect(commandFor(press('Enter', { ctrlKey: true, shiftKey: true }), 'other', INTAKE_KEYS)).toBe('answer')
  })

  it('never acts on the key that ends an input method composition', () => {
    expect(commandFor(press('Enter', { isComposing: true }), 'line', INTAKE_KEYS)).toBeNull()
    expect(commandFor(press('Process', { keyCode: 229 }), 'line', INTAKE_KEYS)).toBeNull()
  })

  it('reads Alt+letter from the physical key (an IME or layout may change event.key)', () => {
    expect(commandFor(press('˚', { altKey: true, code: 'KeyK' }), 'textarea', INTAKE_KEYS)).toBe('adoptCategory')
    expect(commandFor(press('j', { altKey: true, code: 'KeyJ' }), 'line', INTAKE_KEYS)).toBe('linkProblem')
    expect(commandFor(press('1', { altKey: true, code: 'Digit1' }), 'line', INTAKE_KEYS)).toBeNull() // the menu's
  })
})

describe('FORM_KEYS', () => {
  it('submits on Enter in a line and Ctrl+Enter anywhere, not on a button', () => {
    expect(commandFor(press('Enter'), 'line', FORM_KEYS)).toBe('submit')
    expect(commandFor(press('Enter'), 'other', FORM_KEYS)).toBeNull()
    expect(commandFor(press('Enter', { ctrlKey: true }), 'other', FORM_KEYS)).toBe('submit')
  })
})

describe('chords and labels', () => {
  it('writes modifiers in a fixed order', () => {
    expect(chordOf(press('Enter', { shiftKey: true, ctrlKey: true }))).toBe('Ctrl+Shift+Enter')
    expect(chordOf(press('k', { altKey: true }))).toBe('Alt+K')
  })

  it('labels buttons with the chord', () => {
    expect(chordLabel(chordFor(INTAKE_KEYS, 'register', 'Ctrl+Enter'))).toBe('Ctrl+↵')
    expect(chordFor(INTAKE_KEYS, 'answer')).toBe('Ctrl+Shift+Enter')
    expect(chordFor(INTAKE_KEYS, 'findAnswer')).toBe('Alt+Z')
  })
})

describe('fieldKindOf', () => {
  const element = (tagName: string, type?: string, inPicker = false) => ({
    tagName,
    type,
    closest: (selector: string) => (inPicker && selector.includes('.el-select') ? {} : null),
  })

  it('tells lines, text areas and the rest apart', () => {
    expect(fieldKindOf(element('INPUT', 'text') as unknown as EventTarget)).toBe('line')
    expect(fieldKindOf(element('input', 'tel') as unknown as EventTarget)).toBe('line')
    expect(fieldKindOf(element('TEXTAREA') as unknown as EventTarget)).toBe('textarea')
    expect(fieldKindOf(element('INPUT', 'checkbox') as unknown as EventTarget)).toBe('other')
    expect(fieldKindOf(element('BUTTON') as unknown as EventTarget)).toBe('other')
    expect(fieldKindOf(null)).toBe('other')
  })

  it('leaves Enter to a select, where it picks an option', () => {
    expect(fieldKindOf(element('INPUT', 'text', true) as unknown as EventTarget)).toBe('other')
  })
})

describe('ownsKey', () => {
  const inside = { id: 'input in the form' }
  const dialog = { id: 'password in the re-login dialog' }
  const body = { id: 'body' }
  const root = { contains: (node: unknown) => node === inside }

  it('acts on keys typed in the desk or with nothing focused, not in a dialog over it', () => {
    expect(ownsKey(root, inside as unknown as EventTarget, body)).toBe(true)
    expect(ownsKey(root, body as unknown as EventTarget, body)).toBe(true)
    expect(ownsKey(root, dialog as unknown as EventTarget, body)).toBe(false)
    expect(ownsKey(null, inside as unknown as EventTarget, body)).toBe(false)
  })
})
