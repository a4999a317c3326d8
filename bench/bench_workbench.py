"""The workbench's weight and speed: gzipped JS + CSS of the login and intake pages, and how soon
intake is usable after login, measured in Debian's chromium against ``hotline serve``.

Run: ``.venv/bin/python bench/bench_workbench.py [--runs 10] [--json]`` after ``make install``
(it needs the built workbench and /usr/bin/chromium). It makes a SQLite database of its own in a
temporary folder, seeds the city, creates one operator, serves the app with ``hotline serve`` in
a child process on a free port, and drives chromium with Playwright:

* **weight**: every script and stylesheet the browser loads from opening /login to a usable
  intake form, each file gzipped (level 6, what nginx and most servers use) and summed. Target
  ≤ 500 KB. Baseline from the same build: every JS and CSS file in it, as a bundle without code
  splitting would ship.
* **speed**, per run in a fresh browser context (empty cache): the login form usable after
  navigation start (Navigation Timing: ``performance.now()`` counts from the navigation's start);
  intake usable after the click on 登录 (``performance.now()`` in the page before the click and
  once the intake form's content field takes input); then a reload of /intake with the cache the
  first visit left (immutable assets are not asked for again), navigation start to usable, with
  its ``domContentLoadedEventEnd``. Target: intake usable ≤ 1 s after login. The reload is the
  baseline: the same page with nothing left to fetch but index.html and the API. "Usable" is
  tested in the page on every animation frame (``usable_at``), not by Playwright's polling,
  which looks at 100, 250, 500 ms and then once a second. Each run also gives the moment the
  login's answer arrived (``login_answered_ms``: the password check, argon2, on the server) and
  the page's own part after it (``intake_usable_after_answer_ms``). The last run's requests
  after the click (Resource Timing: path, start and end in ms after the click) and the main
  thread's long tasks (Long Tasks API, "(main thread busy)") say where the time goes.
  ``--typing-ms N`` waits N ms before the click, as a person typing
  name and password would (the login page fetches the next pages' code meanwhile).

Results: ``bench/results/workbench.json``; one JSON document on stdout with ``--json``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from playwright.sync_api import Browser, Page, Response, expect, sync_playwright  # noqa: E402

from bench.common import human_bytes, print_json, stderr, write_result  # noqa: E402
from hotline.entrypoints.web.workbench import BUILT_INTO  # noqa: E402

# The workbench the app serves: HOTLINE_WORKBENCH_DIR as the app reads it, else the package's build.
BUILT = Path(os.environ.get("HOTLINE_WORKBENCH_DIR") or BUILT_INTO)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
USER, PASSWORD = "bench-op", "Bench-2026"
LOGIN_PATH = "/api/v1/auth/session"
INTAKE_READY = "诉求内容"  # the intake form's content field: usable once it takes input
TARGET_GZIP_BYTES = 500 * 1024
TARGET_INTAKE_MS = 1000.0
GZIP_LEVEL = 6


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL))


def is_code(path: Path) -> bool:
    return path.suffix in (".js", ".css")


def build_weight() -> dict[str, Any]:
    """The baseline: every script and stylesheet of the build."""
    files = [path for path in BUILT.rglob("*") if path.is_file() and is_code(path)]
    return {
        "files": len(files),
        "bytes": sum(path.stat().st_size for path in files),
        "gzip_bytes": sum(gzip_size(path) for path in files),
    }


def loaded_weight(urls: set[str]) -> dict[str, Any]:
    """The files behind the script and stylesheet URLs the pages loaded."""
    files = sorted({BUILT / urlparse(url).path.lstrip("/") for url in urls})
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise SystemExit(f"the browser loaded files the build does not hold: {missing}")
    return {
        "files": [str(path.relative_to(BUILT)) for path in files],
        "bytes": sum(path.stat().st_size for path in files),
        "gzip_bytes": sum(gzip_size(path) for path in files),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def hotline_command(*args: str, env: dict[str, str]) -> None:
    command = [str(ROOT / ".venv" / "bin" / "hotline"), *args]
    subprocess.run(command, env=env, check=True, capture_output=True, text=True)


@contextmanager
def served_app(folder: Path) -> Iterator[str]:
    """A migrated, seeded SQLite ledger with one operator, served by ``hotline serve``."""
    env = {**os.environ, "HOTLINE_VAR_DIR": str(folder), "HOTLINE_ENV": "development"}
    env.pop("HOTLINE_DATABASE_URL", None)
    hotline_command("db", "upgrade", env=env)
    hotline_command("seed", env=env)
    hotline_command("user", "create", USER, "--role", "operator", "--password", PASSWORD, env=env)
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "hotline"), "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server)
        yield url
    except BaseException:
        stderr.print(f"hotline serve's log:\n{log.read_text(encoding='utf-8')[-4000:]}")
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)


# Start-up imports the whole application: seconds on an idle machine, over a minute on the shared
# one under load.
START_TIMEOUT_S = 300


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"hotline serve exited with {server.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"hotline serve did not answer within {START_TIMEOUT_S} s")


def ms(value: object) -> float:
    return round(float(value), 1)  # type: ignore[arg-type]


def one_run(
    browser: Browser,
    url: str,
    code_urls: set[str],
    after_login: list[dict[str, Any]],
    typing_ms: int = 0,
) -> dict[str, float]:
    context = browser.new_context(base_url=url, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(LONG_TASKS)
    page = context.new_page()

    def note(response: Response) -> None:
        if response.request.resource_type in ("script", "stylesheet"):
            code_urls.add(response.url)

    page.on("response", note)
    try:
        return measured_login(page, after_login, typing_ms)
    finally:
        context.close()


RESOURCES_SINCE = """(since) => performance.getEntriesByType('resource')
  .filter((entry) => entry.startTime >= since)
  .map((entry) => ({
    path: new URL(entry.name).pathname,
    start_ms: entry.startTime - since,
    end_ms: entry.responseEnd - since,
  }))"""


# The main thread's tasks over 50 ms (Long Tasks API), kept from the document's start: while one
# runs, the page cannot take a keystroke, whatever the network has delivered.
LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
}).observe({ type: 'longtask', buffered: true });"""
LONG_TASKS_SINCE = """(since) => (window.__longTasks || [])
  .filter(([start]) => start >= since)
  .map(([start, duration]) => ({
    path: '(main thread busy)', start_ms: start - since, end_ms: start + duration - since,
  }))"""


def requests_since(page: Page, since: float) -> list[dict[str, Any]]:
    """What the page fetched after ``since`` (performance.now()), in ms after it, and the long
    tasks that kept its main thread busy: where the time between the click on 登录 and a
    usable intake form goes."""
    entries: list[dict[str, Any]] = page.evaluate(RESOURCES_SINCE, since)
    entries += page.evaluate(LONG_TASKS_SINCE, since)
    entries.sort(key=lambda entry: entry["start_ms"])
    return [{**entry, "start_ms": ms(entry["start_ms"]), "end_ms": ms(entry["end_ms"])}
            for entry in entries]  # fmt: skip


# The moment a labelled field takes input, tested in the page on every animation frame. Playwright's
# own waiting (expect) polls at 100, 250, 500 and then every 1,000 ms: a form ready at 900 ms
# after the click was seen at about 1,850 ms. The label's ``for`` names the field (Element Plus
# sets it); the field must be attached, shown and neither disabled nor read-only.
USABLE_AT = """(label) => {
  const found = [...document.querySelectorAll('label')].find((l) => l.textContent.trim() === label)
  const field = found && found.htmlFor ? document.getElementById(found.htmlFor) : null
  if (!field || field.disabled || field.readOnly || field.getClientRects().length === 0) return 0
  return performance.now()
}"""


def usable_at(page: Page, label: str) -> float:
    """performance.now() at the first animation frame where the field labelled ``label`` is
    usable."""
    found = page.wait_for_function(USABLE_AT, arg=label, polling="raf", timeout=60_000)
    return ms(found.json_value())


def measured_login(
    page: Page, after_login: list[dict[str, Any]], typing_ms: int
) -> dict[str, float]:
    page.goto("/login")
    login_usable = usable_at(page, "用户名")
    name = page.get_by_label("用户名")
    expect(name).to_be_editable()
    name.fill(USER)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.wait_for_timeout(typing_ms)  # the time a person takes to type both
    clicked = page.evaluate("performance.now()")
    page.get_by_role("button", name="登录", exact=True).click()
    intake_after_login = ms(usable_at(page, INTAKE_READY) - clicked)
    expect(page.get_by_label(INTAKE_READY)).to_be_editable()
    requests = requests_since(page, clicked)
    after_login.extend(requests)
    answered = max(r["end_ms"] for r in requests if r["path"] == LOGIN_PATH)
    page.reload()
    reload_usable = usable_at(page, INTAKE_READY)
    expect(page.get_by_label(INTAKE_READY)).to_be_editable()
    reload_dcl = ms(
        page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    )
    return {
        "login_usable_ms": login_usable,
        "intake_usable_after_login_ms": intake_after_login,
        # the password check's answer, and the page's own part after it
        "login_answered_ms": answered,
        "intake_usable_after_answer_ms": ms(intake_after_login - answered),
        "intake_reload_usable_ms": reload_usable,
        "intake_reload_dom_content_loaded_ms": reload_dcl,
    }


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 1), "p95": p95, "max": ordered[-1]}


def run(args: argparse.Namespace) -> dict[str, Any]:
    if not (BUILT / "index.html").is_file():
        raise SystemExit(f"no built workbench in {BUILT}: run make install")
    code_urls: set[str] = set()
    after_login: list[dict[str, Any]] = []
    runs: list[dict[str, float]] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-workbench-") as folder,
        served_app(Path(folder)) as url,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        one_run(browser, url, set(), [])  # warm the server (first imports, caches), not counted
        for number in range(args.runs):
            after_login.clear()  # the last run's requests are reported
            runs.append(one_run(browser, url, code_urls, after_login, args.typing_ms))
            stderr.print(f"run {number + 1}/{args.runs}: {runs[-1]}")
        browser.close()
    loaded = loaded_weight(code_urls)
    timings = {key: summary([run[key] for run in runs]) for key in runs[0]}
    return {
        "runs": args.runs,
        "typing_ms": args.typing_ms,
        "gzip_level": GZIP_LEVEL,
        "login_and_intake": loaded,
        "baseline_whole_build": build_weight(),
        "timings_ms": timings,
        "last_run_requests_after_login": after_login,
        "targets": {
            "gzip_bytes": TARGET_GZIP_BYTES,
            "intake_usable_after_login_ms": TARGET_INTAKE_MS,
        },
        "met": {
            "gzip_bytes": loaded["gzip_bytes"] <= TARGET_GZIP_BYTES,
            "intake_usable_after_login_ms": timings["intake_usable_after_login_ms"]["p95"]
            <= TARGET_INTAKE_MS,
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="fresh browser contexts to time")
    parser.add_argument(
        "--typing-ms",
        type=int,
        default=0,
        help="pause between the login form being usable and the click on 登录, as a person "
        "typing name and password (0: click at once, as the figures before 2026-12-08 02:10)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    args = parser.parse_args(argv)
    result = run(args)
    path = write_result("workbench", result)
    if args.json:
        print_json(result)
    else:
        loaded = result["login_and_intake"]
        stderr.print(
            f"login + intake: {len(loaded['files'])} files, "
            f"{human_bytes(loaded['gzip_bytes'])} gzip "
            f"(whole build {human_bytes(result['baseline_whole_build']['gzip_bytes'])})"
        )
        for key, figures in result["timings_ms"].items():
            stderr.print(f"{key}: {figures}")
        stderr.print("the last run, after the click on 登录 (ms):")
        for entry in result["last_run_requests_after_login"]:
            stderr.print(f"  {entry['start_ms']:>7} → {entry['end_ms']:>7}  {entry['path']}")
        stderr.print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
