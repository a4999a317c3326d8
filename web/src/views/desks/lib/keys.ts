// Keyboard handling of the desks' forms: which key press means which command.
//
// Enter in a one-line field submits the form's main command; in a text area Enter is a new line
// and Ctrl+Enter submits. A key press that ends an input method's composition (拼音 → 汉字) is
// never a command: the operator only confirmed the characters. The shell's menu owns Alt+1 … 9;
// the desks use Alt with letters no browser binds (Chromium, Firefox) for the rest.

export interface KeyInput {
  key: string
  code?: string
  altKey: boolean
  ctrlKey: boolean
  shiftKey: boolean
  metaKey: boolean
  isComposing?: boolean
  /** `229`: the browser's "an input method is busy" key code, sent by some IMEs without isComposing. */
  keyCode?: number
}

export type FieldKind = 'line' | 'textarea' | 'other'

export interface Binding<C extends string> {
  /** Written as it is shown on the button: `Enter`, `Ctrl+Enter`, `Alt+K`, `Ctrl+Shift+Enter`. */
  chord: string
  command: C
  /** Where it applies: `line` one-line inputs, `textarea`, `other` (buttons, the page). */
  in?: FieldKind[]
}

const PICKERS = '.el-select, .el-autocomplete, .el-cascader, .el-date-editor'

/** The element the key was pressed in, as far as shortcuts care. */
export function fieldKindOf(target: EventTarget | null): FieldKind {
  const element = target as {
    tagName?: string
    type?: string
    isContentEditable?: boolean
    closest?: (selector: string) => unknown
  } | null
  // A select's or autocomplete's own input: Enter picks an option there, it submits nothing.
  if (element?.closest?.(PICKERS)) return 'other'
  const tag = element?.tagName?.toUpperCase()
  if (tag === 'TEXTAREA' || element?.isContentEditable) return 'textarea'
  if (tag === 'INPUT') {
    const type = (element?.type ?? 'text').toLowerCase()
    return ['checkbox', 'radio', 'button', 'submit', 'reset', 'file'].includes(type) ? 'other' : 'line'
  }
  return 'other'
}

/** A key press as a chord: `Ctrl+Shift+Enter`, `Alt+K` (letters read from the physical key). */
export function chordOf(event: KeyInput): string {
  const physical = event.code?.match(/^Key([A-Z])$/)?.[1]
  const key = physical ?? (event.key.length === 1 ? event.key.toUpperCase() : event.key)
  const parts = [event.ctrlKey && 'Ctrl', event.altKey && 'Alt', event.shiftKey && 'Shift', event.metaKey && 'Meta']
  return [...parts.filter(Boolean), key].join('+')
}

export function composing(event: KeyInput): boolean {
  return Boolean(event.isComposing) || event.keyCode === 229
}

/** The command a key press means in a field of this kind, or null (let the browser have it). */
export function commandFor<C extends string>(
  event: KeyInput,
  field: FieldKind,
  bindings: readonly Binding<C>[],
): C | null {
  if (composing(event)) return null
  const chord = chordOf(event)
  for (const binding of bindings) {
    if (binding.chord !== chord) continue
    if (binding.in && !binding.in.includes(field)) continue
    return binding.command
  }
  return null
}

/** The chord as the button shows it: `Ctrl+Enter` → `Ctrl+↵`. */
export function chordLabel(chord: string): string {
  return chord.replace(/Enter$/, '↵')
}

export type IntakeCommand = 'register' | 'answer' | 'adoptCategory' | 'linkProblem' | 'findAnswer'

/** The intake desk: Enter registers (登记), Ctrl+Shift+Enter answers directly (直接答复). */
export const INTAKE_KEYS: readonly Binding<IntakeCommand>[] = [
  { chord: 'Enter', command: 'register', in: ['line'] },
  { chord: 'Ctrl+Enter', command: 'register' },
  { chord: 'Ctrl+Shift+Enter', command: 'answer' },
  { chord: 'Alt+K', command: 'adoptCategory' },
  { chord: 'Alt+J', command: 'linkProblem' },
  { chord: 'Alt+Z', command: 'findAnswer' },
]

export type DeskFormCommand = 'submit'

/** The desks' small forms (dispatch, callback, review): Ctrl+Enter anywhere, Enter in a line. */
export const FORM_KEYS: readonly Binding<DeskFormCommand>[] = [
  { chord: 'Enter', command: 'submit', in: ['line'] },
  { chord: 'Ctrl+Enter', command: 'submit' },
]

/** The chord bound to a command, for the button's hint (the first binding that names it). */
export function chordFor<C extends string>(bindings: readonly Binding<C>[], command: C, prefer?: string): string {
  const found = bindings.filter((binding) => binding.command === command)
  return (found.find((binding) => binding.chord === prefer) ?? found[0])?.chord ?? ''
}

interface Container {
  contains(node: never): boolean
}

/** Whether a desk should act on a key pressed at `target`: inside the desk, or with nothing
 * focused (the page body). A key typed in a dialog over the desk (the re-login dialog's
 * password, say) belongs to the dialog: Enter there must not submit the form underneath. */
export function ownsKey(root: Container | null, target: EventTarget | null, body: unknown): boolean {
  if (!root || !target) return false
  return target === body || root.contains(target as never)
}
