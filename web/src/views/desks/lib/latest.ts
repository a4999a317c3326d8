// Calls made while someone types: wait until they pause, and let only the newest answer in.

export interface Debounced<A extends unknown[]> {
  (...args: A): void
  cancel(): void
  /** Run the pending call now (e.g. on blur), if there is one. */
  flush(): void
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, waitMs: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined
  let pending: A | null = null
  const run = (): void => {
    timer = undefined
    const args = pending
    pending = null
    if (args) fn(...args)
  }
  const call = ((...args: A) => {
    pending = args
    clearTimeout(timer)
    timer = setTimeout(run, waitMs)
  }) as Debounced<A>
  call.cancel = () => {
    clearTimeout(timer)
    timer = undefined
    pending = null
  }
  call.flush = () => {
    if (timer === undefined) return
    clearTimeout(timer)
    run()
  }
  return call
}

/** Tickets for overlapping requests: an answer is used only if no newer request began since. */
export class Latest {
  private counter = 0

  begin(): number {
    return ++this.counter
  }

  isCurrent(ticket: number): boolean {
    return ticket === this.counter
  }

  /** Forget every request in flight (the form was cleared). */
  invalidate(): void {
    this.counter += 1
  }
}
