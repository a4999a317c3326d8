// Work that must not delay the first frame of a desk: after a login the shell, the form and
// everything beside it were built in one main-thread task (1.7 s on the loaded test machine,
// docs/benchmarks.md), and the form took no keystroke until all of it was done.

/**
 * Runs `work` in a task of its own once the browser has painted the current frame (the frame's
 * requestAnimationFrame, then a timer: the timer's task comes after the paint). Where there are
 * no frames (tests, a hidden tab that gets no animation frames soon) a timer alone. Returns a
 * cancel function, for a page left before it ran.
 */
export function afterPaint(work: () => void): () => void {
  let cancelled = false
  const run = (): void => {
    if (!cancelled) work()
  }
  const later = (): void => void setTimeout(run, 0)
  if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') {
    requestAnimationFrame(later)
  } else {
    later()
  }
  return () => {
    cancelled = true
  }
}
