"""Dispatch routing: pure first-match rules from (category, place) to a chain of units.

A rule names its conditions (categories, 大类, kind, principle, default unit kind, districts,
streets, channels, urgencies; an empty condition matches anything) and a dispatch chain. The
chain's first resolvable step is the lead unit the centre dispatches to; the later steps are the
sub-dispatches (下派) each unit makes in turn, e.g. ``@district → @street → @community``: the
district bureau passes the case to the street office covering the address, which may pass it to
the community workstation. Steps are literal unit codes or symbols resolved through the
:class:`Directory`. A rule whose lead cannot be resolved (no district known, say) is skipped with
its reason recorded, so the trace shows why the next rule fired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

DISTRICT, STREET, COMMUNITY, CITY = "@district", "@street", "@community", "@city"
SYMBOLS = (DISTRICT, STREET, COMMUNITY, CITY)
PRINCIPLES = ("owner", "territory")


@dataclass(frozen=True)
class RouteQuery:
    """What routing knows about a case: its category facts and where it is."""

    category_code: str | None = None
    major_code: str | None = None
    kind: str | None = None  # facility | event
    principle: str | None = None  # owner (先属主) | territory (先属地)
    default_unit_kind: str | None = None
    district_code: str | None = None
    street_code: str | None = None
    community_code: str | None = None
    channel: str | None = None
    urgency: str | None = None


@dataclass(frozen=True)
class Match:
    """Conditions of a rule; each is a set of allowed values, empty meaning any."""

    categories: frozenset[str] = frozenset()
    majors: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    principles: frozenset[str] = frozenset()
    unit_kinds: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()
    streets: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    urgencies: frozenset[str] = frozenset()

    def failures(self, query: RouteQuery) -> list[str]:
        """The names of the conditions ``query`` does not meet (empty: it matches)."""
        checks = (
            ("category", self.categories, query.category_code),
            ("major", self.majors, query.major_code),
            ("kind", self.kinds, query.kind),
            ("principle", self.principles, query.principle),
            ("unit_kind", self.unit_kinds, query.default_unit_kind),
            ("district", self.districts, query.district_code),
            ("street", self.streets, query.street_code),
            ("channel", self.channels, query.channel),
            ("urgency", self.urgencies, query.urgency),
        )
        return [name for name, allowed, value in checks if allowed and value not in allowed]


@dataclass(frozen=True)
class Rule:
    id: str
    match: Match
    chain: tuple[str, ...]  # lead first, then the sub-dispatch steps
    co_units: tuple[str, ...] = ()
    principle: str | None = None  # the principle the rule applies, shown to the dispatcher
    note: str = ""


@dataclass(frozen=True)
class Directory:
    """Who covers what: region code → unit code at each level, and the units that exist."""

    city_unit: str
    district_units: Mapping[str, str]
    street_units: Mapping[str, str] = field(default_factory=dict)
    community_units: Mapping[str, str] = field(default_factory=dict)
    units: frozenset[str] = frozenset()

    def resolve(self, step: str, query: RouteQuery) -> str | None:
        """A chain step → a unit code, or None where the place is not known or not covered."""
        if step == CITY:
            return self.city_unit
        if step == DISTRICT:
            return self.district_units.get(query.district_code or "")
        if step == STREET:
            return self.street_units.get(query.street_code or "")
        if step == COMMUNITY:
            return self.community_units.get(query.community_code or "")
        return step if step in self.units else None


@dataclass(frozen=True)
class Route:
    """The suggestion: lead, co-units, the sub-dispatch chain below the lead, and why."""

    rule_id: str
    rule_index: int
    lead: str
    co_units: tuple[str, ...]
    sub_dispatch: tuple[str, ...]
    principle: str | None
    reasons: tuple[str, ...]


def _describe(rule: Rule) -> str:
    return f"规则 {rule.id}" + (f"（{rule.note}）" if rule.note else "")


def _resolve_chain(
    rule: Rule, query: RouteQuery, directory: Directory
) -> tuple[list[str], list[str]]:
    """(units, notes): the resolvable steps in order; a gap ends the chain below it."""
    units: list[str] = []
    notes: list[str] = []
    for step in rule.chain:
        unit = directory.resolve(step, query)
        if unit is None:
            if units:  # below the lead: the chain stops where coverage is unknown
                notes.append(f"{step} 未能确定，下派止于 {units[-1]}")
                break
            continue  # the lead may fall back to a later step (e.g. @street, then @district)
        if unit not in units:
            units.append(unit)
    return units, notes


def _co_units(rule: Rule, query: RouteQuery, directory: Directory, lead: str) -> tuple[str, ...]:
    resolved = (directory.resolve(step, query) for step in rule.co_units)
    return tuple(dict.fromkeys(unit for unit in resolved if unit and unit != lead))


def route(query: RouteQuery, rules: Sequence[Rule], directory: Directory) -> Route | None:
    """The first rule that matches and resolves a lead unit; None when none does."""
    skipped: list[str] = []
    for index, rule in enumerate(rules):
        failed = rule.match.failures(query)
        if failed:
            continue
        units, notes = _resolve_chain(rule, query, directory)
        if not units:
            skipped.append(f"{_describe(rule)}匹配但无法确定承办单位（{'、'.join(rule.chain)}）")
            continue
        reasons = (*skipped, f"命中{_describe(rule)}", *notes)
        return Route(
            rule_id=rule.id,
            rule_index=index,
            lead=units[0],
            co_units=_co_units(rule, query, directory, units[0]),
            sub_dispatch=tuple(units[1:]),
            principle=rule.principle or query.principle,
            reasons=reasons,
        )
    return None


def check_rules(rules: Iterable[Rule]) -> list[str]:
    """Problems with a rule list: duplicate ids, unknown symbols, empty chains."""
    problems: list[str] = []
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            problems.append(f"规则编号重复：{rule.id}")
        seen.add(rule.id)
        if not rule.chain:
            problems.append(f"规则 {rule.id} 没有派遣链")
        for step in (*rule.chain, *rule.co_units):
            if step.startswith("@") and step not in SYMBOLS:
                problems.append(f"规则 {rule.id} 含未知符号 {step}")
        if rule.principle is not None and rule.principle not in PRINCIPLES:
            problems.append(f"规则 {rule.id} 的原则须为 owner 或 territory")
    return problems
