"""Attachments: photos before and after handling, and documents, under the case's access rules.

The bytes live on disk under ``Settings.resolved_attachment_dir``, named by their sha256 (content
addressed), never by the client's file name; the name is kept only to show and to offer on
download. The type is read from the file's first bytes, not trusted from the client, and must be
one of ``Settings.attachment_types``; one upload (one file or several, e.g. a reply's photos)
may not pass ``Settings.attachment_max_bytes`` in all.

A photo keeps where and when it was taken: the position and capture time the uploading phone
gives (checked by ``domain.evidence.check_photo_place``) and, for a JPEG, the camera's own time
from its EXIF block (read with ExifRead: docs/decisions/0027-onsite-evidence.md). The 现场处置
rule reads them before a reply is accepted (:func:`require_reply_evidence`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

import exifread
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from hotline.adapters.db.models import Assignment, Attachment, Case, CaseEvent, Category
from hotline.domain.errors import DomainError, InvalidInput, NotFound
from hotline.domain.evidence import (
    PhotoFacts,
    PhotoPlace,
    ReplyFacts,
    check_photo_place,
    distance_m,
    exif_time,
    require_onsite_evidence,
)
from hotline.domain.roles import Actor, Permission, require
from hotline.domain.vocabulary import ASSIGNMENT_AT_WORK
from hotline.geo.crs import gcj02_to_wgs84
from hotline.services.accounts.scope import load_case_in_scope
from hotline.services.cases.history import append_event
from hotline.services.context import Hotline

KINDS = ("before", "after", "document")
CHUNK = 64 * 1024
# A JPEG's EXIF block (APP1) is at most 64 KiB and comes before the image data.
EXIF_HEAD = 128 * 1024
MAX_FILES = 10  # per upload: a reply's before and after photos fit many times over
log = logging.getLogger(__name__)
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
    place: PhotoPlace = field(default_factory=PhotoPlace)


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    sha256: str
    size: int
    content_type: str
    exif_taken_at: datetime | None = None


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


def _too_large(limit: int) -> AttachmentTooLarge:
    return AttachmentTooLarge(f"附件不能超过 {limit // 1024} KB（{limit} 字节）", fields=("file",))


def _copy_limited(source: BinaryIO, target: IO[bytes], limit: int) -> tuple[str, int, bytes]:
    """Copy at most ``limit`` bytes; the sha256, the size and the first bytes (for the type and
    a JPEG's EXIF block)."""
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        if len(head) < EXIF_HEAD:
            head += chunk[: EXIF_HEAD - len(head)]
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest(), size, head


def read_exif_time(head: bytes, hotline: Hotline) -> datetime | None:
    """The camera's capture time from a JPEG's EXIF block, or None. A broken or hostile block is
    no reason to refuse the photo: its time is then simply unknown."""
    try:
        tags = exifread.process_file(io.BytesIO(head), details=False, extract_thumbnail=False)
    except Exception:  # ExifRead raises many kinds on malformed input
        log.info("EXIF block unreadable; the photo is kept without its camera time")
        return None
    taken = tags.get("EXIF DateTimeOriginal") or tags.get("Image DateTime")
    offset = tags.get("EXIF OffsetTimeOriginal")
    return exif_time(
        str(taken) if taken else None, str(offset) if offset else None, hotline.settings.tz
    )


def store_file(hotline: Hotline, upload: Upload, limit: int | None = None) -> StoredFile:
    """Write the upload under its sha256 name (atomically); the same bytes are stored once.
    ``limit`` is what is left of the upload's byte allowance (default: all of it)."""
    settings = hotline.settings
    root = settings.resolved_attachment_dir
    root.mkdir(parents=True, exist_ok=True)
    allowance = settings.attachment_max_bytes if limit is None else limit
    with tempfile.NamedTemporaryFile(dir=root, prefix=".upload-", delete=False) as temporary:
        try:
            sha256, size, head = _copy_limited(upload.stream, temporary, allowance)
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
    taken = read_exif_time(head, hotline) if content_type == "image/jpeg" else None
    return StoredFile(key, sha256, size, content_type, taken)


def _store_all(hotline: Hotline, uploads: Sequence[Upload]) -> list[StoredFile]:
    """Every file of one upload, within one byte allowance for them all (as the request-size
    guard in front of the route counts them)."""
    if len(uploads) > MAX_FILES:
        raise InvalidInput(f"一次最多上传 {MAX_FILES} 个附件", fields=("file",))
    limit = hotline.settings.attachment_max_bytes
    left, stored = limit, []
    for upload in uploads:
        try:
            if left <= 0:
                raise _too_large(limit)
            stored.append(store_file(hotline, upload, left))
        except AttachmentTooLarge:
            if len(uploads) == 1:
                raise
            raise AttachmentTooLarge(
                f"一次上传的 {len(uploads)} 个附件合计不能超过 {limit // 1024} KB（{limit} 字节）",
                fields=("file",),
            ) from None
        left -= stored[-1].size
    return stored


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _case_point_wgs84(case: Case) -> tuple[float, float] | None:
    """The case's own location in WGS-84 (a map pick may be GCJ-02), or None."""
    if case.lon is None or case.lat is None:
        return None
    if case.coord_system == "gcj02":
        return gcj02_to_wgs84(case.lon, case.lat)
    return case.lon, case.lat


def _distance_to_case(row: Attachment, case: Case) -> int | None:
    """How far from the case's location the photo was taken, in whole metres."""
    point = _case_point_wgs84(case)
    if point is None or row.longitude is None or row.latitude is None:
        return None
    return round(distance_m(point[0], point[1], row.longitude, row.latitude))


def attachment_view(row: Attachment, case: Case) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "filename": row.filename,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_by": row.uploaded_by,
        "uploaded_at": row.uploaded_at.isoformat(),
        "longitude": row.longitude,
        "latitude": row.latitude,
        "accuracy_m": row.accuracy_m,
        "captured_at": _iso(row.captured_at),
        "exif_taken_at": _iso(row.exif_taken_at),
        "distance_m": _distance_to_case(row, case),
    }


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"附件类别须为 {'/'.join(KINDS)}", fields=("kind",))


def _record(
    session: Session, case: Case, actor: Actor, upload: Upload, stored: StoredFile, now: datetime
) -> dict[str, Any]:
    place = upload.place
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
        longitude=place.longitude,
        latitude=place.latitude,
        accuracy_m=place.accuracy_m,
        captured_at=place.captured_at,
        exif_taken_at=stored.exif_taken_at,
    )
    session.add(row)
    session.flush()
    return attachment_view(row, case)


def _checked(hotline: Hotline, uploads: Sequence[Upload], now: datetime) -> list[Upload]:
    """The uploads with their capture time in UTC (a time without an offset is the city's
    local time), each kind and place checked."""
    if not uploads:
        raise InvalidInput("请选择要上传的文件", fields=("file",))
    checked = []
    for upload in uploads:
        _check_kind(upload.kind)
        taken = upload.place.captured_at
        if taken is not None:
            local = taken if taken.tzinfo else taken.replace(tzinfo=hotline.settings.tz)
            upload = replace(upload, place=replace(upload.place, captured_at=local.astimezone(UTC)))
        check_photo_place(upload.place, now)
        checked.append(upload)
    return checked


def add_attachments(
    hotline: Hotline, number: str, actor: Actor, uploads: Sequence[Upload], now: datetime
) -> list[dict[str, Any]]:
    """Store one or more files for case ``number`` in one go (a reply's photos): all are
    recorded, or none; each upload is written to the case's history."""
    require(actor.role, Permission.UPLOAD_ATTACHMENT)
    uploads = _checked(hotline, uploads, now)
    with hotline.db.transaction() as session:  # refuse an out-of-scope case before any I/O
        load_case_in_scope(session, number, actor)
    stored = _store_all(hotline, uploads)
    with hotline.db.transaction() as session:
        case = load_case_in_scope(session, number, actor, for_update=True)
        views = [
            _record(session, case, actor, upload, file, now)
            for upload, file in zip(uploads, stored, strict=True)
        ]
        case.updated_at = now
        flag_modified(case, "updated_at")  # a new version even within the same second: new ETag
        for view in views:
            append_event(
                session,
                case,
                action="attach",
                actor=actor.name,
                at=now,
                from_status=case.status,
                to_status=case.status,
                details=_event_details(view),
            )
        return views


def _event_details(view: dict[str, Any]) -> dict[str, Any]:
    details = {key: view[key] for key in ("id", "kind", "filename", "sha256", "size")}
    if view["longitude"] is not None:  # the history shows where the photo was taken
        details.update({key: view[key] for key in ("longitude", "latitude", "accuracy_m")})
    return details


def add_attachment(
    hotline: Hotline, number: str, actor: Actor, upload: Upload, now: datetime
) -> dict[str, Any]:
    """Store one file for case ``number``; the upload is written to the case's history."""
    return add_attachments(hotline, number, actor, [upload], now)[0]


def list_attachments(hotline: Hotline, number: str, actor: Actor) -> list[dict[str, Any]]:
    require(actor.role, Permission.READ_CASE)
    with hotline.db.transaction() as session:
        case = load_case_in_scope(session, number, actor)
        rows = session.scalars(
            select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
        )
        return [attachment_view(row, case) for row in rows]


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
        view = attachment_view(row, case)
        key = row.storage_key
    root = hotline.settings.resolved_attachment_dir.resolve()
    path = (root / key).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound(f"附件 {attachment_id} 的文件已不存在")
    return view, path


# -- on-site evidence (现场处置) ------------------------------------------------------------------


def _category_chain(session: Session, code: str | None) -> tuple[str, ...]:
    """The case's category and every category above it (a rule may name a 大类)."""
    chain: list[str] = []
    while code is not None and code not in chain:
        chain.append(code)
        code = session.scalar(select(Category.parent_code).where(Category.code == code))
    return tuple(chain)


def _round_started_at(session: Session, case: Case, assignment: Assignment) -> datetime:
    """When the current handling round began: the dispatch of the top of the replying unit's
    chain, or the last reply if that was later (rework after a failed verification keeps the
    assignment; a photo from before the reply it failed does not count again)."""
    by_id = {a.id: a for a in case.assignments}
    top = assignment
    while top.parent_id is not None and top.parent_id in by_id:
        top = by_id[top.parent_id]
    last_reply = session.scalar(
        select(func.max(CaseEvent.at)).where(
            CaseEvent.case_id == case.id, CaseEvent.action == "reply"
        )
    )
    return max(top.dispatched_at, last_reply) if last_reply is not None else top.dispatched_at


def _holding(case: Case) -> Assignment | None:
    """The lead-chain assignment now holding the case (the newest pending or accepted one)."""
    at_work = [a for a in case.assignments if a.role == "lead" and a.status in ASSIGNMENT_AT_WORK]
    return max(at_work, key=lambda a: a.id) if at_work else None


def _photo_facts(session: Session, case_id: int) -> list[PhotoFacts]:
    rows = session.scalars(select(Attachment).where(Attachment.case_id == case_id))
    return [
        PhotoFacts(
            row.kind,
            row.content_type,
            row.uploaded_at,
            PhotoPlace(row.longitude, row.latitude, row.accuracy_m, row.captured_at),
            row.exif_taken_at,
        )
        for row in rows
    ]


def require_reply_evidence(
    session: Session, hotline: Hotline, case: Case, result_type: str
) -> None:
    """Refuse a reply of ``result_type`` on ``case`` when the city's 现场处置 rule wants an
    "after" photo with a position and the case has none from the current round
    (OnsiteEvidenceMissing, 422, field ``attachments``). Called by the reply action before it
    changes anything; a case no unit holds is left to the action's own guard."""
    rule = hotline.profile.onsite_evidence.to_domain()
    holding = _holding(case)
    if (not rule.channels and not rule.categories) or holding is None:
        return
    reply = ReplyFacts(
        channel=case.channel_code,
        category_codes=_category_chain(session, case.category_code),
        result_type=result_type,
        round_started_at=_round_started_at(session, case, holding),
    )
    if rule.applies(reply.channel, reply.category_codes, reply.result_type):
        require_onsite_evidence(rule, reply, _photo_facts(session, case.id))
