"""Attachments of a case: list, upload (multipart), download; under the case's access rules."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from hotline.entrypoints.web.auth import ActorDep, HotlineDep, NowDep
from hotline.entrypoints.web.params import CaseNumber, RecordId
from hotline.entrypoints.web.problem_details import problem_responses
from hotline.entrypoints.web.schemas import AttachmentListOut, AttachmentOut
from hotline.services.cases.attachments import (
    SIGNATURES,
    Upload,
    add_attachment,
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


@router.post(
    "",
    status_code=201,
    response_model=AttachmentOut,
    summary="上传附件",
    responses=problem_responses(401, 403, 404, 413, 415, 422),
)
def upload_endpoint(
    number: CaseNumber,
    kind: Annotated[
        Literal["before", "after", "document"], Form(description="处置前/后照片或文件")
    ],
    file: Annotated[UploadFile, File(description="JPEG、PNG、WebP 或 PDF；大小上限见配置")],
    hotline: HotlineDep,
    actor: ActorDep,
    now: NowDep,
) -> Response:
    """Store a photo or document; its type is read from its bytes, not from the client."""
    upload = Upload(kind, file.filename, file.content_type, file.file)
    view = _with_url(number, add_attachment(hotline, number, actor, upload, now))
    return JSONResponse(view, status_code=201, headers={"Location": view["download_url"]})


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
