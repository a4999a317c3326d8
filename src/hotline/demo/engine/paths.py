"""The paths a case takes: what happens next, when, and how likely.

Rates are those of a busy city hotline: about 1 in 9 calls answered directly by the operator,
2 % voided, 4 % returned by the unit (far more when the centre sent it to the wrong unit), 5 %
extended, 7 % replied late, 6 % failing verification, 13 % of callbacks unreachable, 10 % of
reached citizens unsatisfied with the result (重办). Delays are drawn in working minutes for the
units and in natural time for the centre, which dispatches from 08:00 to 21:00.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from hotline.demo.content.draws import Outcome
from hotline.demo.engine import vocabulary as v
from hotline.demo.engine.lifecycle import (
    CALLBACK_STAFF,
    DISPATCHERS,
    INSPECTORS,
    LEADERS,
    OPERATORS,
    Life,
    Stop,
    handler,
    local_date,
)
from hotline.demo.engine.reference import UnitRef
from hotline.demo.engine.text import one, reply_text
from hotline.domain import commands as cmd
from hotline.domain.deadlines import reply_stage_start
from hotline.domain.lifecycle import Status
from hotline.domain.rules import (
    CallbackAnswer,
    CallbackOutcome,
    ReopenTarget,
    Satisfaction,
    needs_callback,
    status_after_callback,
)
from hotline.domain.sla import ExtensionLevel, extension_level, may_approve
from hotline.services.actions.bulk_sink import IdBlock
from hotline.services.actions.deadlines import add_working_days

S = Status
P_ENRICH = 0.92
P_VOID = 0.02
P_DIRECT = 0.11
P_VOID_AFTER_REGISTER = 0.004
P_MISROUTE = 0.05
P_RETURN = 0.025
P_RETURN_MISROUTED = 0.75
P_RETURN_AFTER_ACCEPT = 0.012
P_APPROVE_RETURN = 0.65
P_SUB_DISPATCH = (0.85, 0.55, 0.3)
P_EXTENSION = 0.05
P_APPROVE_EXTENSION = 0.8
P_LATE_ACCEPT = 0.05
P_LATE_REPLY = 0.07
P_VERIFY_FAIL = 0.06
P_REOPEN_CLOSED = 0.004
RESULTS = (("solved", 0.72), ("promised", 0.07), ("explained", 0.15), ("not_founded", 0.06))
CALLBACK_OUTCOMES = (
    (CallbackOutcome.REACHED, 0.84),
    (CallbackOutcome.UNREACHABLE, 0.13),
    (CallbackOutcome.REFUSED, 0.03),
)
PROCESS = (
    (Satisfaction.SATISFIED, 0.8),
    (Satisfaction.BASICALLY_SATISFIED, 0.14),
    (Satisfaction.UNSATISFIED, 0.06),
)
RESULT = (
    (Satisfaction.SATISFIED, 0.74),
    (Satisfaction.BASICALLY_SATISFIED, 0.16),
    (Satisfaction.UNSATISFIED, 0.10),
)
DIRECT_CHANNELS = frozenset({"12345", "12319", "web", "app", "wechat"})
EXTENSION_DAYS = (2, 3, 3, 5, 5, 7, 10, 15)
REJECT_RETURN = "经核实属于该单位职责范围，请按要求办理。"


class Actions(Life):
    """Each action a command for the application's handler (:meth:`Life.do`); nothing here
    changes the case itself."""

    def enrich(self, at: datetime, suggestions: list[dict[str, Any]]) -> None:
        """The worker's ``enrich`` job: fill what the intake left empty, record suggestions."""
        c = self.c
        applied: dict[str, Any] = {}
        for suggestion in suggestions:
            name = suggestion["field"]
            if name == "route" or name in applied or getattr(c, name) is not None:
                continue
            setattr(c, name, suggestion["value"])
            applied[name] = suggestion["value"]
        details = {"applied": applied, "suggestions": suggestions}
        self.sink.append_event(c, "enrich", "system", at, c.status, c.status, None, details)

    def register(
        self, at: datetime, actor: str, category: str | None, district: str | None
    ) -> None:
        self.do(cmd.Register(category_code=category, district_code=district), at, actor)

    def answer_directly(self, at: datetime, actor: str, reply: str) -> None:
        self.do(cmd.AnswerDirectly(reply_text=reply), at, actor)

    def void(self, at: datetime, actor: str, reason: str) -> None:
        self.do(cmd.Void(reason=reason), at, actor)

    def dispatch(self, at: datetime, actor: str, lead: UnitRef, co_units: list[UnitRef]) -> None:
        co = tuple(unit.code for unit in co_units)
        self.do(cmd.Dispatch(unit=lead.code, co_units=co), at, actor)

    def sub_dispatch(self, at: datetime, actor: str, unit: UnitRef) -> None:
        self.do(cmd.SubDispatch(unit=unit.code), at, actor)

    def accept(self, at: datetime, actor: str) -> None:
        self.do(cmd.Accept(), at, actor)

    def return_case(self, at: datetime, actor: str, code: str, reason: str) -> None:
        self.do(cmd.Return(reason_code=code, reason=reason), at, actor)

    def approve_return(self, at: datetime, actor: str) -> None:
        self.do(cmd.ApproveReturn(), at, actor)

    def reject_return(self, at: datetime, actor: str, reason: str) -> None:
        self.do(cmd.RejectReturn(reason=reason), at, actor)

    def extension_level_for(self, due: datetime, at: datetime) -> ExtensionLevel:
        """Who may approve an extension to ``due`` (to pick the approver)."""
        base = self.c.reply_due_at or at
        minutes = self.w.clock.working_minutes_between(base, due)
        return extension_level(self.w.hotline.policy, minutes / self.w.clock.standard_day_minutes)

    def request_extension(self, at: datetime, actor: str, days: int, reason: str) -> datetime:
        self.do(cmd.RequestExtension(extra_working_days=days, reason=reason), at, actor)
        due = self.c.requests[-1].requested_due_at
        return due if due is not None else add_working_days(self.w.hotline, at, days)

    def approve_extension(self, at: datetime, actor: str) -> None:
        self.do(cmd.ApproveExtension(), at, actor)

    def refuse_extension(self, at: datetime, actor: str, reason: str) -> None:
        self.do(cmd.RefuseExtension(reason=reason), at, actor)

    def reply(
        self, at: datetime, actor: str, result: str, promised_on: date | None, reply: str
    ) -> None:
        command = cmd.Reply(result_type=result, reply_text=reply, promised_on=promised_on)  # type: ignore[arg-type]
        self.do(command, at, actor)

    def verify(self, at: datetime, actor: str, passed: bool, note: str | None) -> None:
        self.do(cmd.Verify(passed=passed, note=note), at, actor)

    def record_callback(
        self, at: datetime, actor: str, answer: CallbackAnswer, comment: str | None
    ) -> Status:
        command = cmd.RecordCallback(
            outcome=answer.outcome,
            process_satisfaction=answer.process,
            result_satisfaction=answer.result,
            solved=answer.solved,
            comment=comment,
            reopen_to=answer.reopen_to if answer.result is Satisfaction.UNSATISFIED else None,
        )
        self.do(command, at, actor)
        return Status(self.c.status)

    def reopen(self, at: datetime, actor: str, target: ReopenTarget, reason: str) -> None:
        self.do(cmd.Reopen(target=target, reason=reason), at, actor)

    def close(self, at: datetime, actor: str) -> None:
        self.do(cmd.Close(), at, actor)


class Paths(Actions):
    outcome: Outcome | None = None  # what the demo content says happens (None: drawn here)

    def chance(self, flag: str, probability: float, *, misrouted: bool = False) -> bool:
        """Whether ``flag`` happens: the demo content's word where it has one (a misrouted
        case is sent back whatever it says), else a draw at ``probability``."""
        if self.outcome is None or (misrouted and self.misrouted):
            return self.rng.random() < probability
        return bool(getattr(self.outcome, flag))

    def draw(self, table: tuple[tuple[Any, float], ...]) -> Any:
        r, total = self.rng.random(), 0.0
        for value, weight in table:
            total += weight
            if r < total:
                return value
        return table[-1][0]

    # --- intake -----------------------------------------------------------------------------

    def intake(self) -> datetime:
        """Receive (with what the intake knew) and enrich (the worker's job fills location and
        category where empty); returns the time the operator turns to the case. The final
        category and district are the register action's."""
        values = self.draft_case
        created = values["created_at"]
        self.final = (values["category_code"], values["district_code"])
        intake = {
            **values,
            "category_code": None,
            "district_code": self.start_district,
            "street_code": None,
            "community_code": None,
            "status": S.RECEIVED.value,
        }
        self.c = c = self.sink.new_case(intake, values["created_by"], created)
        self.swept_to = created
        at = created + timedelta(seconds=3 + 40 * self.rng.random())
        if self.rng.random() < P_ENRICH and at <= self.limit:  # else the job has not run yet
            self.enrich(self.at(at), self.suggestions)
        c.category_code = self.final[0]
        return self.natural(created, 1, 15)

    # --- the closed and open paths ------------------------------------------------------------

    def run(self) -> None:
        """The whole life (``keep_open`` stops it before the case would close)."""
        t = self.intake()
        district = self.final[1]
        r = self.rng.random()
        if not self.keep_open and r < P_VOID:
            self.void(self.at(t), one(self.rng, OPERATORS), one(self.rng, v.VOID_REASONS))
            return
        if not self.keep_open and r < P_VOID + P_DIRECT and self.c.channel_code in DIRECT_CHANNELS:
            self.answer_directly(
                self.at(t), one(self.rng, OPERATORS), one(self.rng, v.DIRECT_ANSWERS)
            )
            return
        self.register(self.at(t), one(self.rng, OPERATORS), self.c.category_code, district)
        if not self.keep_open and self.rng.random() < P_VOID_AFTER_REGISTER:
            t = self.natural(t, 5, 120)
            self.void(self.at(t), one(self.rng, DISPATCHERS), one(self.rng, v.VOID_REASONS))
            return
        self.first_dispatch(t)
        self.handle()

    def first_dispatch(self, t: datetime) -> None:
        assert self.route is not None
        emergency = self.c.urgency == "emergency"
        t = self.natural(t, 1, 5) if emergency else self.centre_hours(self.natural(t, 3, 60))
        lead, co = self.route.lead, list(self.route.co_units)
        if not emergency and self.rng.random() < P_MISROUTE:
            lead = self.w.reference.other_unit(self.rng, lead.id, (lead.kind,))
            self.misrouted, co = True, []
        self.dispatch(self.at(t), one(self.rng, DISPATCHERS), lead, co)
        self.depth, self.t = 0, t

    def handle(self) -> None:
        steps = {
            S.DISPATCHED.value: self.unit_takes,
            S.ACCEPTED.value: self.unit_works,
            S.RETURNED.value: self.centre_decides,
            S.REGISTERED.value: self.redispatch,
            S.REPLIED.value: self.centre_closes,
            S.VERIFYING.value: self.inspect,
            S.CALLBACK_PENDING.value: self.call_back,
        }
        while self.c.status != S.CLOSED.value or self.reopen_closed():
            steps[self.c.status]()

    # --- the unit's steps ---------------------------------------------------------------------

    def unit_takes(self) -> None:
        holder = self.holding()
        top = holder.parent_id is None
        actor = handler(self.unit(holder), self.rng)
        if (
            top
            and not self.returned
            and self.chance(
                "returned", P_RETURN_MISROUTED if self.misrouted else P_RETURN, misrouted=True
            )
        ):
            self.send_back(self.unit(holder), actor)
            return
        self.t = self.accept_time(holder.dispatched_at, top)
        self.accept(self.at(self.t), actor)

    def accept_time(self, dispatched: datetime, top: bool) -> datetime:
        c, clock = self.c, self.w.clock
        late = self.rng.random() < P_LATE_ACCEPT
        fraction = 1.02 + 1.5 * self.rng.random() if late else 0.05 + 0.85 * self.rng.random()
        if c.urgency == "emergency" and c.accept_due_at is not None:
            minutes = (c.accept_due_at - dispatched).total_seconds() / 60
            at = dispatched + timedelta(minutes=minutes * fraction * self.speed)
        elif top and c.accept_due_at is not None:
            limit = max(clock.working_minutes_between(dispatched, c.accept_due_at), 1)
            at = self.work(dispatched, limit * fraction, limit * fraction)
        else:
            at = self.work(dispatched, 3, 70)
        return max(at, self.t + timedelta(seconds=30))

    def send_back(self, unit: Any, actor: str) -> None:
        codes = list(self.w.reference.return_reasons) or ["other"]
        drawn = self.outcome.returned if self.outcome else None
        if self.misrouted and "not_our_duty" in codes:
            code = "not_our_duty"
        else:
            code = drawn if drawn in codes else one(self.rng, codes)
        self.t = self.work(self.t, 10, 240)
        self.return_case(self.at(self.t), actor, code, one(self.rng, v.RETURN_TEXTS))
        self.returned = True

    def unit_works(self) -> None:
        c, holder = self.c, self.holding()
        actor = handler(self.unit(holder), self.rng)
        if self.rework:
            self.rework = False
            self.reply_at(self.work(self.t, 60, 900), holder, actor)
            return
        chain = self.route.chain if self.route and not self.misrouted else ()
        below = self.w.reference.is_below
        if self.depth < len(chain) and below(chain[self.depth], self.unit(holder)):
            step = chain[self.depth]
            self.depth += 1
            if self.rng.random() < P_SUB_DISPATCH[min(self.depth - 1, 2)]:
                self.t = self.work(self.t, 2, 40)
                self.sub_dispatch(self.at(self.t), actor, step)
                return
            self.depth = len(chain)
        top = holder.parent_id is None
        if top and not self.returned and self.rng.random() < P_RETURN_AFTER_ACCEPT:
            self.send_back(self.unit(holder), actor)
            return
        if (
            not self.extended
            and c.urgency != "emergency"
            and c.extension_count < self.w.hotline.policy.max_extensions
            and self.chance("extension", P_EXTENSION)
        ):
            self.extended = True
            if self.extend(actor):
                return
        self.reply_at(self.reply_time(), holder, actor)

    def extend(self, actor: str) -> bool:
        c, clock = self.c, self.w.clock
        start = reply_stage_start(c.assignments, self.t)
        assert c.reply_due_at is not None
        limit = clock.working_minutes_between(start, c.reply_due_at)
        asked = clock.add_working_minutes(start, int(limit * (0.6 + 0.3 * self.rng.random())))
        asked = max(asked, self.work(self.t, 10, 60))
        if asked >= c.reply_due_at:
            return False
        self.t = asked
        days = EXTENSION_DAYS[int(self.rng.random() * len(EXTENSION_DAYS))]
        due = self.request_extension(self.at(asked), actor, days, one(self.rng, v.EXTENSION_TEXTS))
        level = self.extension_level_for(due, asked)
        approver = one(self.rng, DISPATCHERS)
        if not may_approve(level, "dispatcher", None):
            approver = one(self.rng, LEADERS)
        self.t = self.work(asked, 30, 480)
        if self.rng.random() < P_APPROVE_EXTENSION:
            self.approve_extension(self.at(self.t), approver)
        else:
            self.refuse_extension(self.at(self.t), approver, one(self.rng, v.REFUSE_TEXTS))
        return True

    def reply_time(self) -> datetime:
        c, clock = self.c, self.w.clock
        start = reply_stage_start(c.assignments, self.t)
        if self.outcome is not None:  # the demo content says how long the unit takes
            fraction = self.outcome.reply_share
        else:
            late = self.rng.random() < P_LATE_REPLY
            fraction = (
                1.02 + 0.6 * self.rng.random() if late else 0.12 + 0.83 * self.rng.random() ** 1.3
            )
        fraction *= self.speed
        assert c.reply_due_at is not None
        if c.urgency == "emergency":
            at = start + (c.reply_due_at - start) * fraction
        else:
            limit = max(clock.working_minutes_between(start, c.reply_due_at), 1)
            at = self.work(start, limit * fraction, limit * fraction)
        later: datetime = max(at, self.work(self.t, 10, 60))
        return later

    def reply_at(self, at: datetime, holder: Any, actor: str) -> None:
        result = "explained" if self.outcome and self.outcome.unsolved else self.draw(RESULTS)
        today = local_date(at, self.w.tz)
        promised = (
            today + timedelta(days=3 + int(self.rng.random() * 18))
            if (result == "promised")
            else None
        )
        body = reply_text(self.rng, self.topic, result, self.unit(holder).name, today, promised)
        self.t = at
        self.reply(self.at(at), actor, result, promised, body)
        self.settle_supervisions(at)

    # --- the centre's steps -------------------------------------------------------------------

    def centre_decides(self) -> None:
        self.t = self.work(self.t, 20, 300)
        actor = one(self.rng, DISPATCHERS)
        if self.misrouted or self.rng.random() < P_APPROVE_RETURN:
            self.approve_return(self.at(self.t), actor)
        else:
            self.reject_return(self.at(self.t), actor, REJECT_RETURN)

    def redispatch(self) -> None:
        assert self.route is not None
        last = [
            self.unit(a) for a in self.c.assignments if a.role == "lead" and a.parent_id is None
        ]
        lead = self.route.lead
        if not self.misrouted and last and last[-1].id == lead.id:
            lead = self.w.reference.other_unit(self.rng, lead.id, (lead.kind,))
        self.misrouted, self.depth = False, 0
        self.t = self.centre_hours(self.natural(self.t, 10, 120))
        self.dispatch(self.at(self.t), one(self.rng, DISPATCHERS), lead, [])

    def centre_closes(self) -> None:
        self.t = self.work(self.t, 30, 600)
        self.at(self.t)
        if self.keep_open:
            raise Stop
        self.close(self.t, one(self.rng, DISPATCHERS))

    def inspect(self) -> None:
        c = self.c
        at = self.work(self.t, 60, 800)
        if c.promised_on is not None:
            day = datetime.combine(c.promised_on, time(9, 30), self.w.tz)
            at = max(at, self.natural(day, 0, 420).astimezone(at.tzinfo))
        passed = self.loops >= 2 or self.rng.random() >= P_VERIFY_FAIL
        self.t = self.at(at)
        if passed:
            if self.keep_open and not self.callback_follows():
                raise Stop
            self.verify(at, one(self.rng, INSPECTORS), True, one(self.rng, v.VERIFY_OK))
            return
        self.verify(at, one(self.rng, INSPECTORS), False, one(self.rng, v.VERIFY_FAIL))
        self.rework, self.loops = True, self.loops + 1

    def callback_follows(self) -> bool:
        return needs_callback(self.facts(), self.w.rules)

    def call_back(self) -> None:
        c = self.c
        if c.callback_attempts == 0:
            at = self.work(self.t, 30, 900)
        else:
            at = self.work(c.callback_next_at or self.t, 0, 300)
        answer = self.answer()
        self.t = self.at(at)
        target = status_after_callback(answer, c.callback_attempts, self.w.rules)
        if self.keep_open and target is S.CLOSED:
            raise Stop
        comment = one(self.rng, v.CALLBACK_COMMENTS) or None
        if self.record_callback(at, one(self.rng, CALLBACK_STAFF), answer, comment) in (
            S.DISPATCHED,
            S.REGISTERED,
        ):
            self.loops, self.depth, self.returned = self.loops + 1, 0, True

    def answer(self) -> CallbackAnswer:
        drawn = self.outcome
        outcome = self.draw(CALLBACK_OUTCOMES)
        if drawn is not None:
            reached = not drawn.unreachable
            outcome = CallbackOutcome.REACHED if reached else CallbackOutcome.UNREACHABLE
        if outcome is not CallbackOutcome.REACHED:
            return CallbackAnswer(outcome)
        result = self.draw(RESULT)
        if drawn is not None:  # unsatisfied once (the rework then satisfies), else content
            unsatisfied = drawn.unsatisfied and self.loops == 0
            if unsatisfied:
                result = Satisfaction.UNSATISFIED
            elif result is Satisfaction.UNSATISFIED:
                result = Satisfaction.BASICALLY_SATISFIED
        if self.loops >= 2 and result is Satisfaction.UNSATISFIED:
            result = Satisfaction.BASICALLY_SATISFIED
        solved = result is not Satisfaction.UNSATISFIED and self.rng.random() < 0.93
        target = ReopenTarget.SAME_UNIT if self.rng.random() < 0.75 else ReopenTarget.RESORT
        return CallbackAnswer(outcome, self.draw(PROCESS), result, solved, target)

    def reopen_closed(self) -> bool:
        """A citizen calls again about a closed case (重办), rarely."""
        if self.loops >= 2 or self.reopened or not self.chance("reopen", P_REOPEN_CLOSED):
            return False
        at = self.natural(self.t, 1440, 14400)
        if at > self.limit:
            return False
        self.reopened, self.loops, self.depth, self.returned = True, self.loops + 1, 0, True
        target = ReopenTarget.SAME_UNIT if self.rng.random() < 0.8 else ReopenTarget.RESORT
        self.t = self.at(at)
        self.reopen(at, one(self.rng, DISPATCHERS), target, one(self.rng, v.REOPEN_TEXTS))
        return True

    # --- a case with one line pending at ``now`` (for the sweep benchmark) ------------------

    def stage_minutes(self, stage: str) -> int | None:
        """The stage's limit for the case as drawn (before its intake)."""
        c = self.draft_case
        return self.w.limit_minutes(c["category_code"], c["urgency"], c["channel_code"], stage)

    def forced(self, stage: str, kind: str) -> bool:
        """Dispatch (and for the reply stage accept) so that exactly the ``stage`` ``kind`` line
        falls after the sweep stopped and by ``now``; False where the case is too young."""
        clock, stop, now = self.w.clock, self.w.sweep_stop, self.w.now
        limit = self.stage_minutes(stage)
        window = clock.working_instants_between(stop, now)
        if limit is None or window <= 0 or self.draft_case["urgency"] == "emergency":
            return False
        warn = int(limit * self.w.hotline.policy.warn_fraction)
        if kind == "warning":
            line = clock.at_working_offset(stop, 1 + int(self.rng.random() * (window - 1)))
            start = clock.subtract_working_minutes(line, warn)
        else:
            room = min(window, (limit - warn - 2) * 60_000_000)
            if room <= 1:
                return False
            due = clock.at_working_offset(stop, 1 + int(self.rng.random() * (room - 1)))
            start = clock.subtract_working_minutes(due, limit)
        operator = self.intake()
        if start <= self.c.updated_at + timedelta(minutes=2):
            return False
        register_at = min(operator, start - timedelta(minutes=1))
        self.register(
            self.at(register_at), one(self.rng, OPERATORS), self.c.category_code, self.final[1]
        )
        assert self.route is not None
        self.dispatch(
            self.at(start), one(self.rng, DISPATCHERS), self.route.lead, list(self.route.co_units)
        )
        self.t = start
        if stage == "reply":
            accepted = self.work(start, 5, 60)
            if accepted >= now:
                accepted = start + (now - start) / 3
            self.accept(self.at(accepted), handler(self.route.lead, self.rng))
        return True

    # --- state the paths keep -----------------------------------------------------------------

    t: datetime
    misrouted = False
    returned = False
    extended = False
    reopened = False
    suggestions: list[dict[str, Any]]
    start_district: str | None
    final: tuple[str | None, str | None]
    draft_case: dict[str, Any]
    ids_at_start: IdBlock
