"""The ledger's link decision at intake, against a ledger of N cases, beside a baseline that
rebuilds the index for every decision (what a process without the cached, caught-up index
would have to do), measured in the same run.

    .venv/bin/python bench/bench_ledger.py [--cases 5000] [--new 200] [--baseline 10] [--json]

Data (invented, seeded): complaints written from 15 problem templates × 60 places × small
wording changes, received over 80 days; every case is put on the ledger as its own problem or
on the problem of an earlier case of the same template and place. New cases: half rewordings
of a ledger case, half complaints of six kinds the ledger does not hold. The templates make
the data far more uniform than real letters: it measures time, not quality (quality is
bench_repeats.py on real messages). Each decision is :func:`link_at_intake` in its own
transaction (lock, catch-up from the link log, search, link or register, commit), timed from
outside. Results: ``bench/results/ledger.json``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from tests.integration.ledger_corpus import ISSUES  # noqa: E402

from bench.common import Timer, print_json, stderr, write_result  # noqa: E402
from hotline.adapters.db.database import Database  # noqa: E402
from hotline.adapters.db.migrate import upgrade  # noqa: E402
from hotline.adapters.db.models import Case, Category, Problem, ProblemLink, RepeatModel  # noqa: E402
from hotline.bootstrap import build_calendar  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.domain.roles import Actor, Role  # noqa: E402
from hotline.repeats import TextModel  # noqa: E402
from hotline.services.cases.intake import NewCase, create_case  # noqa: E402
from hotline.services.context import Hotline  # noqa: E402
from hotline.services.ledger.problems import link_at_intake  # noqa: E402
from hotline.services.ledger.repeat_index import forget_index  # noqa: E402
from hotline.services.reference.seeding import seed_reference_data  # noqa: E402

START = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
DISTRICTS = ("历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区")
ROADS = ("泉城路", "解放路", "经四路", "英雄山路", "经十路", "北园大街", "花园路", "山大南路",
         "文化东路", "纬二路")  # fmt: skip
ESTATES = ("阳光", "幸福", "和平", "东方", "翠苑", "金桥")
TAILS = ("", "请尽快处理。", "已经反映多次了。", "希望有关部门重视。", "谢谢！")
OPERATOR = Actor("bench", Role.OPERATOR)
# New problems: complaints of kinds the ledger does not hold (a repeat would be a false link).
NEW_ISSUES = (
    "{p}的公共厕所门锁坏了，晚上无法使用，请维修。",
    "{p}的健身器材螺丝松动，孩子玩的时候晃得厉害，存在安全隐患。",
    "{p}有人在河道里倾倒建筑渣土，河水都变浑了。",
    "{p}的公交站台广告牌玻璃碎了一地，没人清扫。",
    "{p}新开的洗车店把污水直接排到雨水井里，路面结冰。",
    "{p}的消防通道被共享单车堵死，消防车进不来。",
)


def places() -> list[str]:
    return [f"{d}{r}{e}小区" for d in DISTRICTS for r in ROADS for e in ESTATES][:60]


def text_of(rng: random.Random, issue: int, place: str) -> str:
    """One wording of a problem: the template, a changed detail, a closing remark."""
    body = ISSUES[issue].format(p=place)
    body = body.replace("凌晨", rng.choice(("凌晨", "半夜", "深夜"))).replace(
        "每天", rng.choice(("每天", "天天", "最近每天"))
    )
    return body + rng.choice(TAILS)


def fresh_hotline(url: str) -> Hotline:
    settings = Settings(database_url=url)
    db = Database(url)
    clock = {"now": START}
    return Hotline(settings, db, build_calendar(settings, db), lambda: clock["now"])


def store_model(hotline: Hotline, rng: random.Random) -> None:
    texts = [text_of(rng, i % len(ISSUES), p) for i, p in enumerate(places() * 5)]
    model = TextModel.fit(texts)
    with hotline.db.transaction() as session:
        session.add(RepeatModel(fingerprint=model.fingerprint, n_docs=max(model.n_docs, 10**6),
                                data=model.to_bytes(), created_at=START))  # fmt: skip


def category_codes(hotline: Hotline) -> list[str]:
    """One seeded 小类 per kind of complaint (every registered case has a category)."""
    with hotline.db.transaction() as session:
        codes = session.scalars(
            select(Category.code).where(Category.level == "minor").order_by(Category.code)
        ).all()
    return list(codes[: len(ISSUES) + len(NEW_ISSUES)])


def load_ledger(
    hotline: Hotline, rng: random.Random, n: int, codes: list[str]
) -> list[tuple[int, str]]:
    """N cases on the ledger; returns (issue, place) of each."""
    topics = [(i, p) for i in range(len(ISSUES)) for p in places()]
    made: list[tuple[int, str]] = []
    problems: dict[tuple[int, str], int] = {}
    for k in range(n):
        topic = rng.choice(topics)
        at = START + timedelta(minutes=int(k * 80 * 24 * 60 / max(n, 1)))
        hotline.now = lambda at=at: at  # type: ignore[misc]
        content = text_of(rng, *topic)
        data = NewCase(channel="12345", content=content, category_code=codes[topic[0]])
        number = create_case(hotline, data, OPERATOR, at)
        with hotline.db.transaction() as session:
            case = session.scalars(select(Case).where(Case.number == number)).one()
            if topic not in problems:
                problem = Problem(status="open", title=case.content[:60], case_count=0,
                                  recurrence_count=0, first_case_at=at,
                                  last_case_at=at)  # fmt: skip
                session.add(problem)
                session.flush()
                problems[topic] = problem.id
            case.problem_id = problems[topic]
            session.add(ProblemLink(case_id=case.id, problem_id=problems[topic], action="link",
                                    reasons=[], by="bench", at=at))  # fmt: skip
        made.append(topic)
    return made


def decide(hotline: Hotline, number: str, now: datetime) -> tuple[float, str]:
    """One decision; "linked:NUMBER" names the case whose problem it joined."""
    began = time.perf_counter()
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        found = link_at_intake(hotline, session, case, now)
    decision = found.get("decision", "")
    if decision == "linked":
        decision += ":" + next(c["case"] for c in found["candidates"] if c["decision"] == "link")
    return (time.perf_counter() - began) * 1000, decision


def new_cases(hotline: Hotline, rng: random.Random, topics: list[tuple[int, str]], m: int,
              now: datetime, codes: list[str]) -> list[tuple[str, bool]]:  # fmt: skip
    made = []
    for k in range(m):
        repeat = k % 2 == 0
        if repeat:
            issue, place = rng.choice(topics)
            content, code = text_of(rng, issue, place), codes[issue]
        else:
            kind = rng.randrange(len(NEW_ISSUES))
            content = NEW_ISSUES[kind].format(p=rng.choice(places())) + rng.choice(TAILS)
            code = codes[len(ISSUES) + kind]
        data = NewCase(channel="12345", content=content, category_code=code)
        made.append((create_case(hotline, data, OPERATOR, now), repeat))
    return made


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"median_ms": round(statistics.median(ordered), 2), "p90_ms": round(pick(0.9), 2),
            "p99_ms": round(pick(0.99), 2), "max_ms": round(ordered[-1], 2)}  # fmt: skip


def run(cases: int, new: int, baseline: int) -> dict[str, Any]:
    rng = random.Random(7)
    timer = Timer()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'ledger.sqlite3'}"
        with timer.phase("setup"):
            upgrade(url)
            hotline = fresh_hotline(url)
            seed_reference_data(hotline)
            store_model(hotline, rng)
            codes = category_codes(hotline)
            topics = load_ledger(hotline, rng, cases, codes)
        now = START + timedelta(days=81)
        hotline.now = lambda: now  # type: ignore[method-assign]
        fresh = new_cases(hotline, rng, topics, new + baseline, now, codes)
        fresh_numbers = {number for number, _ in fresh}
        with timer.phase("first_build"):
            first_ms, _ = decide(hotline, fresh[0][0], now)
        ours = [(*decide(hotline, number, now), repeat) for number, repeat in fresh[1:new]]
        cold = []
        for number, _ in fresh[new:]:
            forget_index(hotline)
            cold.append(decide(hotline, number, now)[0])
        hotline.db.dispose()
    linked = sum(1 for _, decision, repeat in ours if repeat and decision.startswith("linked"))
    wrong = sum(
        1
        for _, decision, repeat in ours
        if not repeat and decision.startswith("linked") and decision[7:] not in fresh_numbers
    )
    return {
        "database": "sqlite",
        "ledger_cases": cases,
        "decisions": len(ours),
        "ours": summary([ms for ms, _, _ in ours]),
        "baseline_rebuild_per_decision": summary(cold),
        "first_decision_with_build_ms": round(first_ms, 1),
        "rewordings_linked": f"{linked}/{sum(1 for *_, r in ours if r)}",
        "new_problems_linked_to_the_ledger": wrong,
        "phases_s": timer.phases,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    stderr.print(f"ledger of {args.cases} cases, {args.new} decisions …")
    result = run(args.cases, args.new, args.baseline)
    write_result("ledger", {"date": datetime.now(UTC).isoformat(), **result})
    print_json(result)


if __name__ == "__main__":
    main()
