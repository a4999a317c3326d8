"""A child process for the crash tests: the real app under uvicorn, on the test's database, whose
case create stops dead right after its transaction commits — the moment a server can die between
storing a case and answering for it. The test kills it there with SIGKILL.

``python -m tests.web.crash_server DATABASE_URL VAR_DIR PORT MARKER``: once a create has
committed, its case number is written to MARKER and the request never answers.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import uvicorn

from hotline.bootstrap import build_hotline
from hotline.config import Settings
from hotline.entrypoints.web import routes_cases
from hotline.entrypoints.web.app import create_app


def _stopping_after_commit(marker: Path) -> Any:
    create = vars(routes_cases)["create_case"]

    def create_then_hang(*args: Any, **kwargs: Any) -> str:
        number: str = create(*args, **kwargs)
        written = marker.with_suffix(".tmp")
        written.write_text(number, encoding="utf-8")
        written.rename(marker)  # whole, at once: the test reads it as soon as it exists
        threading.Event().wait()  # never answers: the test kills the process here
        return number

    return create_then_hang


def main(database_url: str, var_dir: str, port: str, marker: str) -> None:
    vars(routes_cases)["create_case"] = _stopping_after_commit(Path(marker))
    hotline = build_hotline(Settings(database_url=database_url, var_dir=Path(var_dir)))
    uvicorn.run(create_app(hotline), host="127.0.0.1", port=int(port), log_level="warning")


if __name__ == "__main__":
    main(*sys.argv[1:])
