"""A reply's two photos uploaded in one request (POST /api/v1/cases/{number}/attachments with
``file`` twice, each with its position and capture time), beside the baseline measured in the
same run: the same two photos in two requests.

    .venv/bin/python bench/bench_upload.py [--database NAME] [--repeat 30] [--json]

Runs on a generated PostgreSQL database (the one ``bench/bench_counters.py`` uses): a bench
handler of the unit with the busiest inbox uploads to one of the cases it holds, through the real
application (FastAPI's TestClient: bearer token, the request-size guard, multipart parsing, type
sniffing, EXIF, the sha256-named files, one transaction). The photos stand in for a phone's 2 MP
JPEGs at the upper end of their size (1.5 MB each: the server reads their type and EXIF block,
never the pixels, so random bytes behind a real EXIF block cost what a photo costs). Attachments
go to a temporary folder, deleted afterwards; the rows stay in the bench database. Timings from
request to response, once to warm up and then ``--repeat`` times: p50 / p95 / max in ms.

Results: ``bench/results/upload.json``; figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from tests.jpeg import jpeg_with_exif  # noqa: E402

from bench.bench_counters import NOW, SERVER, _hotline  # noqa: E402
from bench.common import machine_info, print_json, stderr, write_result  # noqa: E402
from hotline.entrypoints.web.app import create_app  # noqa: E402
from hotline.services.accounts.users import NewUser, create_user  # noqa: E402

PHOTO_BYTES = 1_500_000
PLACE = {"longitude": "117.0211", "latitude": "36.6652", "accuracy": "8"}


def _photo(seed: int) -> bytes:
    head = jpeg_with_exif(f"2026:11:30 15:{seed % 60:02d}:00", "+08:00")
    return head[:-2] + os.urandom(PHOTO_BYTES - len(head)) + b"\xff\xd9"


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 1),
        "max_ms": round(samples[-1], 1),
    }


def _post(client: TestClient, url: str, token: str, photos: list[bytes]) -> None:
    files = [("file", (f"处置后{n}.jpg", photo, "image/jpeg")) for n, photo in enumerate(photos)]
    data = {"kind": "after", "captured_at": NOW.isoformat(), **PLACE}
    response = client.post(
        url, data=data, files=files, headers={"Authorization": f"Bearer {token}"}
    )
    if response.status_code != 201:
        raise SystemExit(f"{response.status_code} {response.text}")


def timed(client: TestClient, url: str, token: str, repeat: int, *, one_request: bool) -> Any:
    samples = []
    for attempt in range(repeat + 1):
        photos = [_photo(attempt), _photo(attempt + 1)]  # new bytes: no file is stored twice
        began = time.perf_counter()
        if one_request:
            _post(client, url, token, photos)
        else:
            for photo in photos:
                _post(client, url, token, [photo])
        if attempt:
            samples.append((time.perf_counter() - began) * 1000)
    return _percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="hotline_bench_counters")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    hotline = _hotline(f"{SERVER}/{args.database}")
    with hotline.db.transaction() as session:
        unit, number = session.execute(
            text(
                "SELECT u.code, c.number FROM case_assignments a JOIN cases c ON c.id = a.case_id "
                "JOIN units u ON u.id = a.unit_id WHERE a.status = 'accepted' AND a.role = 'lead' "
                "ORDER BY a.dispatched_at DESC LIMIT 1"
            )
        ).one()
        session.execute(text("DELETE FROM api_tokens WHERE user_id IN "
                             "(SELECT id FROM users WHERE name = 'bench-upload')"))  # fmt: skip
        session.execute(text("DELETE FROM users WHERE name = 'bench-upload'"))
    token = create_user(hotline, NewUser("bench-upload", "handler", unit, None), NOW)
    url = f"/api/v1/cases/{number}/attachments"
    result: dict[str, Any] = {
        "database": args.database,
        "case": number,
        "photo_bytes": PHOTO_BYTES,
        "repeat": args.repeat,
        "machine": machine_info(),
    }
    with tempfile.TemporaryDirectory() as folder:
        hotline.settings.attachment_dir = Path(folder)
        with TestClient(create_app(hotline)) as client:
            stderr.print("two photos, one request:")
            result["one_request"] = timed(client, url, token, args.repeat, one_request=True)
            stderr.print(f"  {result['one_request']}")
            stderr.print("baseline, two requests:")
            result["two_requests"] = timed(client, url, token, args.repeat, one_request=False)
            stderr.print(f"  {result['two_requests']}")
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    hotline.db.dispose()
    write_result("upload", result)
    if args.json:
        print_json(result)


if __name__ == "__main__":
    main()
