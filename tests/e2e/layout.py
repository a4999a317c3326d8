"""Layout checks a person would notice on a narrow screen: content that has to be scrolled sideways.

The shell scrolls its page inside ``main`` (``overflow: auto``), so a page wider than the screen
does not widen the document: it makes ``main`` scroll sideways. Both are checked, and every other
box that scrolls, except the ones meant to scroll sideways: a table (its columns scroll inside
its own frame) and the menu strip on a phone.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page

# Boxes that may scroll sideways by design.
SIDEWAYS_BY_DESIGN = ".el-table, .side-menu"
OVERFLOW = """(allowed) => {
  const describe = (el) => {
    const classes = [...el.classList].slice(0, 3).join('.')
    return `${el.tagName.toLowerCase()}${classes ? '.' + classes : ''}`
  }
  const found = []
  const root = document.scrollingElement
  const width = document.documentElement.clientWidth
  if (root.scrollWidth > width) found.push(`document: ${root.scrollWidth} > ${width}`)
  for (const el of document.querySelectorAll('body *')) {
    const sideways = getComputedStyle(el).overflowX
    if (sideways !== 'auto' && sideways !== 'scroll') continue
    if (el.scrollWidth <= el.clientWidth + 1 || el.closest(allowed)) continue
    found.push(`${describe(el)}: ${el.scrollWidth} > ${el.clientWidth}`)
  }
  return found
}"""


def horizontal_overflow(page: Page) -> list[str]:
    """What scrolls sideways on the page now, as ``box: content width > box width``."""
    found: list[str] = page.evaluate(OVERFLOW, SIDEWAYS_BY_DESIGN)
    return found


def sticks_out(page: Page, box: Locator) -> bool:
    """Whether the element reaches past the screen's left or right edge."""
    bounds = box.bounding_box()
    assert bounds is not None, "the element is not shown"
    width: int = page.evaluate("document.documentElement.clientWidth")
    return bounds["x"] < 0 or bounds["x"] + bounds["width"] > width + 1


TABLES_WIDER = """() => [...document.querySelectorAll('.el-table')]
  .filter((table) => table.getClientRects().length > 0)
  .map((table) => [table.querySelector('.el-table__body-wrapper .el-scrollbar__wrap'), table])
  .filter(([wrap]) => wrap && wrap.scrollWidth > wrap.clientWidth + 1)
  .map(([wrap, table]) => `${table.closest('[aria-label]')?.getAttribute('aria-label') ?? 'table'}:`
    + ` ${wrap.scrollWidth} > ${wrap.clientWidth}`)"""


def tables_cut(page: Page) -> list[str]:
    """Tables whose columns do not fit their frame: the last columns are hidden until one
    scrolls the table sideways. Acceptable on a phone, not on the centre's desktop screens."""
    found: list[str] = page.evaluate(TABLES_WIDER)
    return found
