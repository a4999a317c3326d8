"""Personal data: masking of caller names and phone numbers (138****5678, 张**)."""

from __future__ import annotations

ANONYMISED = "已匿名"


def mask_phone(phone: str | None) -> str | None:
    """Keep the first three and last four digits of a phone number; mask short ones wholly."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return f"{'*' * (len(digits) - 4)}{digits[-4:]}"
    return "*" * len(digits)


def mask_name(name: str | None) -> str | None:
    """Keep the family name (the first character) and mask the rest: 张三丰 → 张**."""
    if not name:
        return name
    name = name.strip()
    if name == ANONYMISED:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)
