"""Reading labelled data for the classifier: encodings, xlsx, joined columns, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from hotline.classify.dataset import DatasetError, load_dataset

ROWS = [("噪音扰民", "夜间施工", "环境保护"), ("公交晚点", "等了一小时", "交通运输")]


def write_text(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(rows: list[tuple[str, str, str]] = ROWS) -> str:
    return "标题,内容,类别\r\n" + "".join(f"{a},{b},{c}\r\n" for a, b, c in rows)


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    path = write_text(tmp_path / "data.csv", csv_text(), encoding)
    dataset = load_dataset(path, ["标题", "内容"], "类别")
    assert dataset.labels == ["环境保护", "交通运输"]
    assert dataset.texts == ["噪音扰民\n夜间施工", "公交晚点\n等了一小时"]  # columns joined
    assert dataset.source["encoding"] == detected


def test_xlsx_is_read_with_numbers_as_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["标题", "内容", "类别"])
    sheet.append(["噪音扰民", None, "环境保护"])
    sheet.append(["路灯不亮", 3.0, "城乡建设"])
    path = tmp_path / "data.xlsx"
    book.save(path)
    dataset = load_dataset(path, ["标题", "内容"], "类别")
    assert dataset.texts == ["噪音扰民", "路灯不亮\n3"]
    assert dataset.labels == ["环境保护", "城乡建设"]
    assert dataset.source["format"] == "xlsx"


def test_a_missing_column_is_named_with_the_columns_present(tmp_path: Path) -> None:
    path = write_text(tmp_path / "data.csv", csv_text(), "utf-8")
    with pytest.raises(DatasetError) as refused:
        load_dataset(path, ["正文"], "类别")
    assert refused.value.code == "missing_column"
    message = str(refused.value)
    assert "正文" in message and all(name in message for name in ("标题", "内容", "类别"))


def test_empty_labels_are_counted_with_their_row_numbers(tmp_path: Path) -> None:
    rows = [*ROWS, ("垃圾堆积", "无人清运", ""), ("路面塌陷", "很危险", " ")]
    path = write_text(tmp_path / "data.csv", csv_text(rows), "utf-8")
    with pytest.raises(DatasetError) as refused:
        load_dataset(path, ["标题"], "类别")
    assert refused.value.code == "empty_labels"
    assert "2 行" in str(refused.value) and "4、5" in str(refused.value)


def test_one_class_only_is_refused_for_training_but_fine_for_evaluation(tmp_path: Path) -> None:
    rows = [("噪音扰民", "夜间施工", "环境保护"), ("油烟污染", "饭店", "环境保护")]
    path = write_text(tmp_path / "data.csv", csv_text(rows), "utf-8")
    with pytest.raises(DatasetError) as refused:
        load_dataset(path, ["标题"], "类别")
    assert refused.value.code == "too_few_classes"
    assert "环境保护" in str(refused.value)
    assert load_dataset(path, ["标题"], "类别", min_classes=1).labels == ["环境保护"] * 2


def test_bytes_invalid_in_every_supported_encoding_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes("标题,类别\n".encode() + b"\xff\xfe\xff,x\n")
    with pytest.raises(DatasetError) as refused:
        load_dataset(path, ["标题"], "类别")
    assert refused.value.code == "undecodable"
    assert "UTF-8" in str(refused.value) and "GB18030" in str(refused.value)


def test_utf16_is_refused_rather_than_misread(tmp_path: Path) -> None:
    path = write_text(tmp_path / "data.csv", csv_text(), "utf-16-le")
    with pytest.raises(DatasetError) as refused:
        load_dataset(path, ["标题"], "类别")
    assert refused.value.code == "undecodable"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.csv", b"", "empty_file"),
        ("header.csv", "标题,类别\n\n".encode(), "no_rows"),
        ("fake.xlsx", b"not a zip", "unreadable"),
    ],
)
def test_empty_and_broken_files(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DatasetError) as refused:
        load_dataset(path, ["标题"], "类别")
    assert refused.value.code == code


def test_a_missing_file_and_rows_without_text(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as missing:
        load_dataset(tmp_path / "nowhere.csv", ["标题"], "类别")
    assert missing.value.code == "not_found"
    path = write_text(tmp_path / "data.csv", "标题,类别\n噪音,环境\n,交通\n", "utf-8")
    with pytest.raises(DatasetError) as blank:
        load_dataset(path, ["标题"], "类别")
    assert blank.value.code == "empty_texts" and "第 3 行" in str(blank.value)


def test_the_tipdm_layout_reads(tmp_path: Path) -> None:
    """The training set's shape: pre-segmented text, spaces and ideographic spaces inside."""
    text = (
        "text,label\n"
        + '"K3 县 八宝 镇 医院 　 　 违规 私开 诊所",卫生计生\n"火车 噪音",环境保护\n'
    )
    dataset = load_dataset(write_text(tmp_path / "t.csv", text, "utf-8-sig"), ["text"], "label")
    assert dataset.texts[0].startswith("K3 县 八宝")
    assert dataset.labels == ["卫生计生", "环境保护"]
