"""The demo profile's fictional contacts for derived units: stable for a code, different
between codes, phones under the given prefix."""

from __future__ import annotations

from hotline.services.reference.demo_contacts import demo_contacts


def test_the_same_code_gets_the_same_person_and_others_differ() -> None:
    first = demo_contacts("JD-370102001", "0531-89")
    assert first == demo_contacts("JD-370102001", "0531-89")
    others = [demo_contacts(f"SQ-370102001{n:03d}", "0531-89") for n in range(200)]
    assert len({o["head_name"] for o in others}) > 100
    assert all(len(o["head_name"]) in (3, 4) and o["head_name"] != o["deputy_name"]
               for o in others)  # fmt: skip
    phones = {first["head_phone"], first["deputy_phone"], first["duty_phone"]}
    assert len(phones) == 3 and all(p.startswith("0531-89") and len(p) == 13 for p in phones)
