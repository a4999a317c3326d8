"""Attachments: photos before and after handling, and documents, under the case's access rules.

The bytes live on disk under ``Settings.resolved_attachment_dir``, named by their sha256 (content
addressed), never by the client's file name; the name is kept only to show and to offer on
download. The type is read from the file's first bytes, not trusted from the client, and must be
one of ``Settings.attachment_types``; the size may not pass ``Settings.attachment_max_bytes``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from hotline.adapters.db.models import Attachment, Case
from hotline.domain.errors import DomainError, InvalidInput, NotFound
from hotline.domain.roles import Actor, Permission, require
from hotline.services.accounts.scope import load_case_in_scope
from hotline.services.cases.history import append_event
from hotline.services.context import Hotline

KINDS = ("before", "after", "document")
CHUNK = 64 * 1024
# Magic numbers of the types a hotline receives; a type without a signature here is taken as
# declared, provided the administrator allowed it in Settings.attachment_types.
SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
    (b"GIF8", 0, "image/gif"),
)


class AttachmentTooLarge(DomainError):
    """The file is larger than the configured limit (HTTP 413)."""

    code = "attachment_too_large"
    title = "附件过大"


class UnsupportedAttachmentType(DomainError):
    """The file's type is not one the hotline accepts (HTTP 415)."""

    code = "unsupported_media_type"
    title = "不支持的附件类型"


@dataclass(frozen=True)
class Upload:
    kind: str
    filename: str | None
    declared_type: str | None
    stream: BinaryIO


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    sha256: str
    size: int
    content_type: str


def safe_filename(name: str | None) -> str:
    """The last path component, without control characters, at most 255 characters."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return cleaned[-255:] or "attachment"


def sniff_type(head: bytes, declared: str | None, allowed: tuple[str, ...]) -> str:
    """The file's real type from its first bytes; refuses types outside ``allowed``."""
    for magic, offset, content_type in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            detected = content_type
            break
    else:
        known = {content_type for _, _, content_type in SIGNATURES}
        detected = (declared or "").split(";")[0].strip().lower()
        if detected in known:  # claims a type whose signature the bytes do not carry
            detected = ""
    if detected not in allowed:
        raise UnsupportedAttachmentType(
            f"不支持的附件类型「{detected or declared or '未知'}」，允许：{'、'.join(allowed)}",
            fields=("file",),
        )
    return detected


def _copy_limited(source: BinaryIO, target: IO[bytes], limit: int) -> tuple[str, int, bytes]:
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise AttachmentTooLarge(
                f"附件不能超过 {limit // 1024} KB（{limit} 字节）", fields=("file",)
            )
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest(), size, head


def store_file(hotline: Hotline, upload: Upload) -> StoredFile:
    """Write the upload under its sha256 name (atomically); the same bytes are stored once."""
    settings = hotline.settings
    root = settings.resolved_attachment_dir
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".upload-", delete=False) as temporary:
        try:
            sha256, size, head = _copy_limited(
                upload.stream, temporary, settings.attachment_max_bytes
            )
            if size == 0:
                raise InvalidInput("附件不能为空", fields=("file",))
            content_type = sniff_type(head, upload.declared_type, settings.attachment_types)
        except BaseException:
            temporary.close()
            os.unlink(temporary.name)
            raise
    key = f"{sha256[:2]}/{sha256}"
    (root / sha256[:2]).mkdir(exist_ok=True)
    os.replace(temporary.name, root / key)
    return StoredFile(key, sha256, size, content_type)


def attachment_view(row: Attachment) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "filename": row.filename,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_by": row.uploaded_by,
        "uploaded_at": row.uploaded_at.isoformat(),
    }


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"附件类别须为 {'/'.join(KINDS)}", fields=("kind",))


def _record(
    session: Session, case: Case, actor: Actor, upload: Upload, stored: StoredFile, now: datetime
) -> dict[str, Any]:
    row = Attachment(
        case_id=case.id,
        kind=upload.kind,
        filename=safe_filename(upload.filename),
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.storage_key,
        uploaded_by=actor.name,
        uploaded_at=now,
    )
    session.add(row)
    session.flush()
    return attachment_view(row)


def add_attachment(
    hotline: Hotline, number: str, actor: Actor, upload: Upload, now: datetime
) -> dict[str, Any]:
    """Store a file for case ``number``; the upload is written to the case's history."""
    require(actor.role, Permission.UPLOAD_ATTACHMENT)
    _check_kind(upload.kind)
    with hotline.db.transaction() as session:  # refuse an out-of-scope case before any I/O
        load_case_in_scope(session, number, actor)
    stored = store_file(hotline, upload)
    with hotline.db.transaction() as session:
        case = load_case_in_scope(session, number, actor, for_update=True)
        view = _record(session, case, actor, upload, stored, now)
        case.updated_at = now
        flag_modified(case, "updated_at")  # a new version even within the same second: new ETag
        append_event(
            session,
            case,
            action="attach",
            actor=actor.name,
            at=now,
            from_status=case.status,
            to_status=case.status,
            details={key: view[key] for key in ("id", "kind", "filename", "sha256", "size")},
        )
        return view


def list_attachments(hotline: Hotline, number: str, actor: Actor) -> list[dict[str, Any]]:
    require(actor.role, Permission.READ_CASE)
    with hotline.db.transaction() as session:
        case = load_case_in_scope(session, number, actor)
        rows = session.scalars(
            select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
        )
        return [attachment_view(row) for row in rows]


def open_attachment(
    hotline: Hotline, number: str, attachment_id: int, actor: Actor
) -> tuple[dict[str, Any], Path]:
    """An attachment's description and the path of its bytes, for a reader of the case."""
    require(actor.role, Permission.READ_CASE)
    with hotline.db.transaction() as session:
        case = load_case_in_scope(session, number, actor)
        row = session.get(Attachment, attachment_id)
        if row is None or row.case_id != case.id:
            raise NotFound(f"工单 {number} 没有编号为 {attachment_id} 的附件")
        view = attachment_view(row)
        key = row.storage_key
    root = hotline.settings.resolved_attachment_dir.resolve()
    path = (root / key).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound(f"附件 {attachment_id} 的文件已不存在")
    return view, path
