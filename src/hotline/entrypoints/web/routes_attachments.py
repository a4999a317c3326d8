"""Attachments of a case: list, upload (multipart, one or more files), download; under the
case's access rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from hotline.domain.errors import InvalidInput
from hotline.domain.evidence import PhotoPlace
from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.bounded_times import BoundedDateTime
from hotline.entrypoints.web.params import CaseNumber, RecordId
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas import AttachmentListOut
from hotline.services.cases.attachments import (
    MAX_FILES,
    SIGNATURES,
    Upload,
    add_attachments,
    list_attachments,
    open_attachment,
)

router = APIRouter(prefix="/api/v1/cases/{number}/attachments", tags=["附件 attachments"])
# A download is the stored file itself, of the type read from its bytes when it was uploaded.
ATTACHMENT_FILE: dict[str, Any] = {
    "content": {content_type: {} for _, _, content_type in SIGNATURES},
    "description": "附件文件本身（类型按上传时读出的文件头；管理员另行允许的类型按其声明）",
}


def _with_url(number: str, view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "download_url": f"/api/v1/cases/{number}/attachments/{view['id']}"}


@router.get(
    "",
    response_model=AttachmentListOut,
    summary="附件列表",
    responses=problem_responses(401, 403, 404),
)
def list_endpoint(number: CaseNumber, hotline: HotlineDep, actor: ActorDep) -> Response:
    items = list_attachments(hotline, number, actor)
    return JSONResponse({"items": [_with_url(number, item) for item in items]})


Value = TypeVar("Value")
PER_FILE = "；上传多个文件时给一次（适用于全部）或按文件顺序每个文件一次"


def _per_file(name: str, values: Sequence[Value] | None, files: int) -> list[Value | None]:
    """A metadata field given once for every file, or once per file in file order."""
    if not values:
        return [None] * files
    if len(values) not in (1, files):
        raise InvalidInput(f"「{name}」须给一次，或每个文件一次（共 {files} 个）", fields=(name,))
    return [values[0] if len(values) == 1 else values[index] for index in range(files)]


def _places(
    files: int,
    longitude: list[float] | None,
    latitude: list[float] | None,
    accuracy: list[float] | None,
    captured_at: list[datetime] | None,
) -> list[PhotoPlace]:
    columns = zip(
        _per_file("longitude", longitude, files),
        _per_file("latitude", latitude, files),
        _per_file("accuracy", accuracy, files),
        _per_file("captured_at", captured_at, files),
        strict=True,
    )
    return [PhotoPlace(*column) for column in columns]


@router.post(
    "",
    status_code=201,
    response_model=AttachmentListOut,
    summary="上传附件（可一次多个）",
    responses=problem_responses(401, 403, 404, 413, 415, 422),
)
def upload_endpoint(
    number: CaseNumber,
    kind: Annotated[
        Literal["before", "after", "document"], Form(description="处置前/后照片或文件")
    ],
    file: Annotated[
        list[UploadFile],
        File(
            description=f"JPEG、PNG、WebP 或 PDF；可重复，一次最多 {MAX_FILES} 个，"
            "合计大小上限见配置（HOTLINE_ATTACHMENT_MAX_BYTES）"
        ),
    ],
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
    longitude: Annotated[
        list[float] | None, Form(description="拍摄位置经度（WGS-84，度）" + PER_FILE)
    ] = None,
    latitude: Annotated[
        list[float] | None, Form(description="拍摄位置纬度（WGS-84，度）" + PER_FILE)
    ] = None,
    accuracy: Annotated[list[float] | None, Form(description="定位精度（米）" + PER_FILE)] = None,
    captured_at: Annotated[
        list[BoundedDateTime] | None,
        Form(description="拍摄时间（ISO 8601，带时区）" + PER_FILE),
    ] = None,
) -> Response:
    """Store one or more photos or documents of one kind (a reply's photos in one request); a
    photo may carry where and when it was taken. Each file's type is read from its bytes."""
    places = _places(len(file), longitude, latitude, accuracy, captured_at)
    uploads = [
        Upload(kind, item.filename, item.content_type, item.file, place)
        for item, place in zip(file, places, strict=True)
    ]
    stored = add_attachments(hotline, number, actor, uploads, now)
    items = [_with_url(number, view) for view in stored]
    return JSONResponse(
        {"items": items}, status_code=201, headers={"Location": items[0]["download_url"]}
    )


@router.get(
    "/{attachment_id}",
    summary="下载附件",
    response_class=FileResponse,
    responses={200: ATTACHMENT_FILE, **problem_responses(401, 403, 404)},
)
def download_endpoint(
    number: CaseNumber, attachment_id: RecordId, hotline: HotlineDep, actor: ActorDep
) -> Response:
    view, path = open_attachment(hotline, number, attachment_id, actor)
    disposition = f"attachment; filename*=UTF-8''{quote(view['filename'])}"
    return FileResponse(
        path,
        media_type=view["content_type"],
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )
