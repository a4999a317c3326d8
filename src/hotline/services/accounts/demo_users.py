"""The demo accounts: one per desk, so that a demo or a developer's machine can be tried at once.

Every role has an account; every district and zone bureau has a handler (a case dispatched to any
district can be answered); one street office has a handler (the level below the bureaus); one
dispatcher and one leader are scoped to 历下区 (a scoped desk next to the city-wide one). All share
one password, which is why production refuses them: a real centre creates its people with
``hotline user create``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hotline.adapters.db.models import User
from hotline.domain.errors import Conflict, Forbidden
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.context import Hotline

DEMO_PASSWORD = "hotline-demo"


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: str
    display_name: str
    unit_code: str | None = None
    district_code: str | None = None

    @property
    def scope(self) -> str:
        """Where the account works: its unit, its district, or the whole city."""
        return self.unit_code or self.district_code or "全市"


DESK_USERS = (
    DemoUser("op", "operator", "王晓燕"),
    DemoUser("disp", "dispatcher", "李建国"),
    DemoUser("lx-disp", "dispatcher", "赵明", district_code="370102"),
    DemoUser("insp", "inspector", "钱进"),
    DemoUser("sup", "supervisor", "陈思"),
    DemoUser("lead", "leader", "刘洋"),
    DemoUser("lx-lead", "leader", "周慧", district_code="370102"),
    DemoUser("adm", "admin", "马超"),
)

# (account prefix, bureau unit code, the handler's name): the 12 districts' and 3 zones' bureaus
BUREAU_HANDLERS = (
    ("lx", "LX-CGJ", "孙立新"), ("sz", "SZ-CGJ", "吴海燕"), ("hy", "HY-CGJ", "郑伟"),
    ("tq", "TQ-CGJ", "冯丽"), ("lc", "LC-CGJ", "蒋涛"), ("cq", "CQ-CGJ", "沈静"),
    ("zq", "ZQ-CGJ", "韩冬"), ("jy", "JY-CGJ", "杨帆"), ("lw", "LW-CGJ", "朱红"),
    ("gc", "GC-CGJ", "秦刚"), ("py", "PY-CGJ", "许敏"), ("sh", "SH-CGJ", "何平"),
    ("gx", "GX-CGJ", "吕鹏"), ("ns", "NS-CGJ", "施雨"), ("qb", "QB-CGJ", "张磊"),
)  # fmt: skip

DEMO_USERS = (
    *DESK_USERS,
    *(
        DemoUser(f"{prefix}-h", "handler", name, unit_code=unit)
        for prefix, unit, name in BUREAU_HANDLERS
    ),
    DemoUser("jfl-h", "handler", "田甜", unit_code="LX-JFL"),
)


def refuse_in_production(hotline: Hotline, what: str) -> None:
    """Demo data and shared-password accounts have no place in a real centre's database."""
    if hotline.settings.is_production:
        raise Forbidden(f"HOTLINE_ENV=production：不能{what}（仅供演示与开发环境）")


def seed_demo_users(hotline: Hotline, now: datetime) -> list[str]:
    """Create the demo accounts that do not exist yet; an existing account keeps its password.
    Returns the names created."""
    refuse_in_production(hotline, "创建演示账户")
    created = []
    for person in DEMO_USERS:
        account = NewUser(person.name, person.role, person.unit_code, person.district_code,
                          person.display_name, DEMO_PASSWORD)  # fmt: skip
        try:
            create_user(hotline, account, now)
        except Conflict:
            continue
        created.append(person.name)
    return created


def present_demo_users(hotline: Hotline) -> list[DemoUser]:
    """The demo accounts that exist and are enabled, in the table's order."""
    names = [person.name for person in DEMO_USERS]
    with hotline.db.transaction() as session:
        stmt = select(User.name).where(User.name.in_(names), User.disabled.is_(False))
        present = set(session.scalars(stmt))
    return [person for person in DEMO_USERS if person.name in present]
