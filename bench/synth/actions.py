"""The actions, each a mirror of its handler in ``hotline.services.actions_*``.

Same state changes, same history details, same order of events (a callback's supervision event comes
before the callback event, as ``record_callback`` escalates inside the handler). Deadlines come from
``hotline.services.actions.deadlines``; the transition table from ``hotline.domain.lifecycle``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.synth.lifecycle import Life
from bench.synth.reference import UnitRef
from bench.synth.rows import RequestSim, flag, text, ts
from hotline.domain.lifecycle import Action, Status
from hotline.domain.rules import (
    CallbackAnswer,
    ReopenTarget,
    needs_callback,
    reopen_status,
    status_after_callback,
    status_after_reply,
    status_after_verification,
)
from hotline.domain.sla import ExtensionLevel, extension_level
from hotline.services.actions.deadlines import (
    add_working_days,
    callback_due,
    move_reply_deadline,
    promise_due,
    set_dispatch_deadlines,
    verify_due,
)
from hotline.services.ledger.supervision import Level

S = Status
A = Action


class Actions(Life):
    # --- intake and the centre --------------------------------------------------------------

    def receive(self, at: datetime, actor: str) -> None:
        c = self.c
        details = {"channel": c.channel_code, "has_contact": bool(c.caller_phone)}
        self.event(at, "receive", actor, None, S.RECEIVED.value, None, details)
        c.status = S.RECEIVED.value
        self.swept_to = at

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
        self.event(at, "enrich", "system", c.status, c.status, None, details)

    def register(
        self, at: datetime, actor: str, category: str | None, district: str | None
    ) -> None:
        c = self.c
        c.category_code, c.district_code = category, district or c.district_code
        details = {
            "category_code": c.category_code,
            "district_code": c.district_code,
            "urgency": c.urgency,
        }
        self.act(at, A.REGISTER, actor, S.REGISTERED, details)

    def answer_directly(self, at: datetime, actor: str, reply: str) -> None:
        c = self.c
        c.reply_text, c.result_type, c.replied_at = reply, "explained", at
        c.closed_at, c.closed_as = at, "answered_directly"
        self.act(at, A.ANSWER_DIRECTLY, actor, S.ANSWERED_DIRECTLY)

    def void(self, at: datetime, actor: str, reason: str) -> None:
        self.c.closed_at, self.c.closed_as = at, "void"
        self.act(at, A.VOID, actor, S.VOID, reason=reason)

    def assign_lead(
        self, at: datetime, actor: str, lead: UnitRef, co_units: list[UnitRef]
    ) -> dict[str, Any]:
        """As ``actions_centre.assign_lead``."""
        c = self.c
        category = self.w.categories.get(c.category_code) if c.category_code else None
        due = set_dispatch_deadlines(self.w.hotline, c, category, at)  # type: ignore[arg-type]
        c.lead_unit_id = lead.id
        if c.district_code is None and lead.region_code is not None:
            c.district_code = lead.region_code
        for unit, role in [(lead, "lead"), *((unit, "co") for unit in co_units)]:
            self.new_assignment(unit, role, None, at, actor, due.reply_due_at)
        return {
            "unit": lead.code,
            "co_units": [unit.code for unit in co_units],
            "accept_due_at": due.accept_due_at.isoformat(),
            "reply_due_at": due.reply_due_at.isoformat(),
        }

    def dispatch(self, at: datetime, actor: str, lead: UnitRef, co_units: list[UnitRef]) -> None:
        self.act(at, A.DISPATCH, actor, S.DISPATCHED, self.assign_lead(at, actor, lead, co_units))

    # --- the unit ---------------------------------------------------------------------------

    def sub_dispatch(self, at: datetime, actor: str, unit: UnitRef) -> None:
        parent = self.holding()
        self.new_assignment(unit, "lead", parent.id, at, actor, parent.due_at)
        self.act(
            at,
            A.SUB_DISPATCH,
            actor,
            S.DISPATCHED,
            {"unit": unit.code, "from_assignment": parent.id},
        )

    def accept(self, at: datetime, actor: str) -> None:
        c, assignment = self.c, self.holding()
        assignment.status, assignment.accepted_at = "accepted", at
        late = c.accept_due_at is not None and at > c.accept_due_at
        if assignment.parent_id is None:
            c.accept_late = late
        self.act(at, A.ACCEPT, actor, S.ACCEPTED, {"accepted_late": late})

    def return_case(self, at: datetime, actor: str, code: str, reason: str) -> None:
        assignment = self.holding()
        self.c.requests.append(RequestSim("return", assignment.id, code, reason, actor, at, None))
        details = {"reason_code": code, "assignment": assignment.id}
        self.act(at, A.RETURN, actor, S.RETURNED, details, reason)

    def _decide(
        self, kind: str, status: str, at: datetime, actor: str, note: str | None
    ) -> RequestSim:
        request = [r for r in self.c.requests if r.kind == kind and r.status == "pending"][-1]
        request.status, request.decided_by, request.decided_at = status, actor, at
        request.decision_note = note
        return request

    def _resume_clock(self, request: RequestSim, at: datetime) -> int:
        c, clock = self.c, self.w.clock
        paused = clock.working_minutes_between(request.requested_at, at)
        if paused > 0 and c.reply_due_at is not None:
            new_due = clock.add_working_minutes(c.reply_due_at, paused)
            move_reply_deadline(self.w.hotline, c, new_due, at)  # type: ignore[arg-type]
        return max(paused, 0)

    def approve_return(self, at: datetime, actor: str) -> None:
        c = self.c
        request = self._decide("return", "approved", at, actor, None)
        returning = next(a for a in c.assignments if a.id == request.assignment_id)
        returning.status = "returned"
        if returning.parent_id is not None:
            paused = self._resume_clock(request, at)
            details = {"back_to_assignment": returning.parent_id, "clock_paused_minutes": paused}
            self.act(at, A.APPROVE_RETURN, actor, S.ACCEPTED, details)
            return
        self._end_assignments()
        c.lead_unit_id = None
        self.act(at, A.APPROVE_RETURN, actor, S.REGISTERED, {"back_to": "centre"})

    def reject_return(self, at: datetime, actor: str, reason: str) -> None:
        request = self._decide("return", "rejected", at, actor, reason)
        returning = next(a for a in self.c.assignments if a.id == request.assignment_id)
        returning.status = "accepted"
        returning.accepted_at = returning.accepted_at or at
        paused = self._resume_clock(request, at)
        details = {"forced_unit_assignment": returning.id, "clock_paused_minutes": paused}
        self.act(at, A.REJECT_RETURN, actor, S.ACCEPTED, details, reason)

    def _end_assignments(self, status: str = "ended") -> None:
        for assignment in self.c.assignments:
            if assignment.status in ("pending", "accepted"):
                assignment.status = status

    def _close(self, at: datetime, closed_as: str) -> None:
        # As domain/handlers/closing.py: a co-unit still owing its opinion stops, as 'closed'.
        self.c.closed_at, self.c.closed_as = at, closed_as
        self._end_assignments("closed")

    # --- extensions -------------------------------------------------------------------------

    def extension_level_for(self, due: datetime, at: datetime) -> ExtensionLevel:
        base = self.c.reply_due_at or at
        minutes = self.w.clock.working_minutes_between(base, due)
        return extension_level(self.w.hotline.policy, minutes / self.w.clock.standard_day_minutes)

    def request_extension(self, at: datetime, actor: str, days: int, reason: str) -> datetime:
        c = self.c
        assignment = self.holding()
        due = add_working_days(self.w.hotline, c.reply_due_at or at, float(days)).astimezone(UTC)
        level = self.extension_level_for(due, at)
        c.requests.append(RequestSim("extension", assignment.id, None, reason, actor, at, due))
        details = {"requested_due_at": due.isoformat(), "approval_level": level.name}
        self.act(at, A.REQUEST_EXTENSION, actor, Status(c.status), details, reason)
        return due

    def approve_extension(self, at: datetime, actor: str) -> None:
        c = self.c
        request = [r for r in c.requests if r.kind == "extension" and r.status == "pending"][-1]
        granted = request.requested_due_at
        assert granted is not None
        previous = c.reply_due_at
        level = self.extension_level_for(granted, at)
        self._decide("extension", "approved", at, actor, None)
        move_reply_deadline(self.w.hotline, c, granted, at)  # type: ignore[arg-type]
        c.extension_count += 1
        details = {
            "previous_due_at": previous.isoformat() if previous else None,
            "reply_due_at": granted.isoformat(),
            "approval_level": level.name,
        }
        self.act(at, A.APPROVE_EXTENSION, actor, Status(c.status), details)

    def refuse_extension(self, at: datetime, actor: str, reason: str) -> None:
        self._decide("extension", "refused", at, actor, reason)
        self.act(at, A.REFUSE_EXTENSION, actor, Status(self.c.status), {}, reason)

    # --- reply and closing ------------------------------------------------------------------

    def reply(
        self, at: datetime, actor: str, result: str, promised_on: date | None, reply: str
    ) -> None:
        c, hotline = self.c, self.w.hotline
        bottom = self.holding()
        by_id = {a.id: a for a in c.assignments}
        held = bottom
        while True:  # the reply rolls up to every unit above
            held.status, held.replied_at, held.reply_text = "replied", at, reply
            if held.parent_id is None:
                break
            held = by_id[held.parent_id]
        c.result_type, c.reply_text, c.promised_on, c.replied_at = result, reply, promised_on, at
        facts = self.facts()
        target = status_after_reply(facts, self.w.rules)
        c.needs_verification = target is S.VERIFYING
        c.needs_callback = target is S.CALLBACK_PENDING or (
            target is S.VERIFYING and needs_callback(facts, self.w.rules)
        )
        late = c.reply_due_at is not None and at > c.reply_due_at
        c.reply_late = late
        c.promise_due_at = promise_due(hotline, promised_on) if promised_on else None
        if target is S.VERIFYING:
            c.verify_due_at = c.promise_due_at or verify_due(hotline, at)
        elif target is S.CALLBACK_PENDING:
            c.callback_due_at = callback_due(hotline, at)
        details = {
            "result_type": result,
            "replied_late": late,
            "promised_on": promised_on.isoformat() if promised_on else None,
        }
        self.act(at, A.REPLY, actor, target, details)

    def verify(self, at: datetime, actor: str, passed: bool, note: str | None) -> None:
        c = self.c
        target = status_after_verification(passed, self.facts(), self.w.rules)
        if target is S.ACCEPTED:
            for assignment in c.assignments:
                if assignment.role == "lead" and assignment.status == "replied":
                    assignment.status = "accepted"
            c.reopen_count += 1
            c.replied_at = None
        elif target is S.CLOSED:
            self._close(at, "verified")
        else:
            c.callback_due_at = callback_due(self.w.hotline, at)
        self.act(at, A.VERIFY, actor, target, {"passed": passed, "note": note})

    def record_callback(
        self, at: datetime, actor: str, answer: CallbackAnswer, comment: str | None
    ) -> Status:
        c = self.c
        target = status_after_callback(answer, c.callback_attempts, self.w.rules)
        c.callback_attempts += 1
        c.callbacks.append(
            [
                str(c.id),
                str(c.callback_attempts),
                answer.outcome.value,
                text(answer.process.value if answer.process else None),
                text(answer.result.value if answer.result else None),
                flag(answer.solved),
                text(comment),
                ts(at),
                actor,
                text(c.lead_unit_id),
            ]
        )
        if target is S.CLOSED:
            reached = answer.outcome.value == "reached"
            self._close(at, "satisfied" if reached else answer.outcome.value)
        elif target is S.CALLBACK_PENDING:
            retry = self.w.hotline.policy.callback_retry_minutes
            c.callback_next_at = at + timedelta(minutes=retry)
        else:
            self.escalate(
                at, Level.SUPERVISE, "回访不满意，重办督办", "callback_unsatisfied", actor
            )
            self._reopen(at, actor, answer.reopen_to)
        details = {
            "attempt": c.callback_attempts,
            "outcome": answer.outcome.value,
            "process_satisfaction": answer.process.value if answer.process else None,
            "result_satisfaction": answer.result.value if answer.result else None,
            "solved": answer.solved,
        }
        self.act(at, A.RECORD_CALLBACK, actor, target, details)
        return target

    def _reopen(self, at: datetime, actor: str, target: ReopenTarget) -> dict[str, Any]:
        c = self.c
        previous = c.lead_unit_id
        self._end_assignments()
        for assignment in c.assignments:
            if assignment.status == "replied":
                assignment.status = "ended"
        c.reopen_count += 1
        c.closed_at = c.closed_as = c.replied_at = None
        c.result_type = c.reply_text = None
        c.callback_attempts = 0
        if target is ReopenTarget.RESORT or previous is None:
            c.lead_unit_id = None
            return {"target": ReopenTarget.RESORT.value}
        unit = self.w.reference.units_by_id[previous]
        return {"target": target.value, **self.assign_lead(at, actor, unit, [])}

    def reopen(self, at: datetime, actor: str, target: ReopenTarget, reason: str) -> None:
        details = self._reopen(at, actor, target)
        self.act(at, A.REOPEN, actor, reopen_status(target), details, reason)

    def close(self, at: datetime, actor: str) -> None:
        self._close(at, "closed_by_centre")
        self.act(at, A.CLOSE, actor, S.CLOSED, {})
