"""技术经理人 cases: the service stages of DOMAIN.md §5 as an explicit transition table.

Stdlib only. A case moves forward along ``FORWARD`` (each step may have a gate: a document that must be
on file), back to any earlier stage with a reason, to ``closed`` with a reason, and from ``closed`` back
to the stage it was closed in (reopen, with a reason). Each stage has a target duration; a case that
stays longer is flagged overdue on the desk (the deadline rule of this workflow).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from techbridge.errors import FieldError, IllegalTransition, PermissionDenied, ValidationFailed


class Stage(StrEnum):
    DISCOVERY = "discovery"  # 需求挖掘/成果发现
    EVALUATION = "evaluation"  # 评估 (TRL, IP due diligence, valuation)
    INCUBATION = "incubation"  # 培育/概念验证
    MATCHMAKING = "matchmaking"  # 对接撮合 (NDA)
    NEGOTIATION = "negotiation"  # 谈判 (LOI/term sheet)
    CONTRACT = "contract"  # 合同
    REGISTRATION = "registration"  # 认定登记/政策兑现
    PILOT = "pilot"  # 中试熟化
    INDUSTRIALISATION = "industrialisation"  # 产业化/孵化/融资
    BENEFIT_SHARING = "benefit_sharing"  # 收益分配
    COMPLETED = "completed"
    CLOSED = "closed"


ACTIVE_STAGES: tuple[Stage, ...] = tuple(s for s in Stage if s not in (Stage.COMPLETED, Stage.CLOSED))
ORDER = {stage: i for i, stage in enumerate(Stage)}

# Forward moves. Incubation / proof of concept may be skipped when the result is already mature, and
# pilot production may be skipped when the buyer industrialises directly.
FORWARD: dict[Stage, frozenset[Stage]] = {
    Stage.DISCOVERY: frozenset({Stage.EVALUATION}),
    Stage.EVALUATION: frozenset({Stage.INCUBATION, Stage.MATCHMAKING}),
    Stage.INCUBATION: frozenset({Stage.MATCHMAKING}),
    Stage.MATCHMAKING: frozenset({Stage.NEGOTIATION}),
    Stage.NEGOTIATION: frozenset({Stage.CONTRACT}),
    Stage.CONTRACT: frozenset({Stage.REGISTRATION}),
    Stage.REGISTRATION: frozenset({Stage.PILOT, Stage.INDUSTRIALISATION}),
    Stage.PILOT: frozenset({Stage.INDUSTRIALISATION}),
    Stage.INDUSTRIALISATION: frozenset({Stage.BENEFIT_SHARING}),
    Stage.BENEFIT_SHARING: frozenset({Stage.COMPLETED}),
}

# A forward move into these stages needs a document of this kind on the case.
GATES: dict[Stage, str] = {Stage.NEGOTIATION: "nda", Stage.CONTRACT: "loi"}
DOCUMENT_KINDS = ("nda", "loi", "term_sheet", "contract", "evaluation_report", "ip_report", "pilot_report",
                  "certificate", "other")

# Target days in each stage (GB/T 34670 leaves them to the service agreement; these are editable defaults).
TARGET_DAYS: dict[Stage, int] = {
    Stage.DISCOVERY: 14, Stage.EVALUATION: 30, Stage.INCUBATION: 90, Stage.MATCHMAKING: 30,
    Stage.NEGOTIATION: 45, Stage.CONTRACT: 30, Stage.REGISTRATION: 30, Stage.PILOT: 180,
    Stage.INDUSTRIALISATION: 365, Stage.BENEFIT_SHARING: 365,
}


class CaseParty(StrEnum):
    MANAGER = "manager"  # the technology manager assigned to the case
    OPERATOR = "operator"
    TECHNOLOGY_MANAGER = "technology_manager"  # any user with the technology-manager role
    TASK_OWNER = "task_owner"
    PARTY_MEMBER = "party_member"  # a member of the seller, buyer or host organisation


M, OP = CaseParty.MANAGER, CaseParty.OPERATOR
# Who may do what on a case.
CASE_ACTIONS: dict[str, frozenset[CaseParty]] = {
    "open": frozenset({CaseParty.TECHNOLOGY_MANAGER, OP}),
    "advance": frozenset({M, OP}),
    "move_back": frozenset({M, OP}),
    "close": frozenset({M, OP}),
    "reopen": frozenset({M, OP}),
    "assign": frozenset({OP}),
    "add_task": frozenset({M, OP}),
    "complete_task": frozenset({M, OP, CaseParty.TASK_OWNER}),
    "add_note": frozenset({M, OP, CaseParty.PARTY_MEMBER}),
    "add_document": frozenset({M, OP, CaseParty.PARTY_MEMBER}),
    "handoff": frozenset({M, OP}),
    "view": frozenset({M, OP, CaseParty.PARTY_MEMBER, CaseParty.TASK_OWNER}),
}
MOVES = ("advance", "move_back", "close", "reopen")


def require_party(action: str, parties: frozenset[CaseParty]) -> None:
    allowed = CASE_ACTIONS[action]
    if not parties & allowed:
        who = " or ".join(sorted(p.value for p in allowed))
        raise PermissionDenied(f"Only the {who} may {action.replace('_', ' ')} on this case")


@dataclass(frozen=True)
class Move:
    action: str
    source: Stage
    target: Stage


def check_move(action: str, current: Stage, target: Stage | None, *, parties: frozenset[CaseParty],
               reason: str = "", documents: Iterable[str] = (), closed_from: Stage | None = None) -> Move:
    """Validate one stage change; returns it or raises the error that says what to do instead.

    * advance: ``target`` must be in ``FORWARD[current]`` (default: the only or first successor), and
      the gate document of the target must be on file.
    * move_back: to an earlier active stage; reason required.
    * close: from any active stage; reason required.
    * reopen: from closed, back to the stage it was closed in; reason required.
    """
    if action not in MOVES:
        raise ValidationFailed("Unknown move", errors=[FieldError("action", f"use one of {', '.join(MOVES)}")])
    if action == "advance":
        options = FORWARD.get(current, frozenset())
        if not options:
            raise IllegalTransition(f"A case that is {current.value} cannot move forward")
        if target is None:
            target = min(options, key=ORDER.__getitem__)
        if target not in options:
            names = ", ".join(sorted(o.value for o in options))
            raise IllegalTransition(f"From {current.value} a case moves forward to {names}, not {target.value}")
    elif action == "move_back":
        if current not in ACTIVE_STAGES:
            raise IllegalTransition(f"A case that is {current.value} cannot move back; reopen it first")
        if target is None or target not in ACTIVE_STAGES or ORDER[target] >= ORDER[current]:
            raise IllegalTransition(f"Move back to an earlier stage than {current.value}")
    elif action == "close":
        if current not in ACTIVE_STAGES:
            raise IllegalTransition(f"A case that is {current.value} cannot be closed")
        target = Stage.CLOSED
    else:
        if current is not Stage.CLOSED:
            raise IllegalTransition(f"Only a closed case can be reopened; this one is {current.value}")
        target = closed_from or Stage.DISCOVERY
    require_party(action, parties)
    if action != "advance" and not reason.strip():
        raise ValidationFailed("A reason is required", errors=[FieldError(
            "reason", f"say why you {action.replace('_', ' ')} this case")])
    if action == "advance":
        gate = GATES.get(target)
        if gate and gate not in set(documents):
            raise IllegalTransition(f"Moving to {target.value} needs a {gate.upper()} document on the case; "
                                    f"add it under documents first")
    return Move(action, current, target)


def legal_moves(current: Stage) -> list[tuple[str, Stage]]:
    """Every (action, target) the table allows from ``current``, gates aside."""
    moves: list[tuple[str, Stage]] = [("advance", s) for s in sorted(FORWARD.get(current, ()), key=ORDER.__getitem__)]
    if current in ACTIVE_STAGES:
        moves += [("move_back", s) for s in ACTIVE_STAGES if ORDER[s] < ORDER[current]]
        moves.append(("close", Stage.CLOSED))
    if current is Stage.CLOSED:
        moves.append(("reopen", Stage.DISCOVERY))
    return moves


# ---------------------------------------------------------------- time in stage and the funnel

@dataclass(frozen=True)
class StageSpan:
    stage: Stage
    started: dt.datetime
    ended: dt.datetime | None

    def days(self, now: dt.datetime) -> Decimal:
        seconds = ((self.ended or now) - self.started).total_seconds()
        return (Decimal(seconds) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def spans(changes: Sequence[tuple[dt.datetime, Stage]]) -> list[StageSpan]:
    """Stage spans from the ordered list of (time entered, stage)."""
    out = []
    for i, (at, stage) in enumerate(changes):
        ended = changes[i + 1][0] if i + 1 < len(changes) else None
        out.append(StageSpan(stage, at, ended))
    return out


def time_in_stage(changes: Sequence[tuple[dt.datetime, Stage]], now: dt.datetime) -> dict[Stage, Decimal]:
    """Total days spent in each stage (a stage visited twice adds up)."""
    totals: dict[Stage, Decimal] = {}
    for span in spans(changes):
        totals[span.stage] = totals.get(span.stage, Decimal(0)) + span.days(now)
    return totals


def overdue_in_stage(stage: Stage, entered: dt.datetime, now: dt.datetime) -> bool:
    target = TARGET_DAYS.get(stage)
    return target is not None and (now - entered) > dt.timedelta(days=target)


# Funnel steps: a case counts at a step when it ever reached one of the step's stages.
FUNNEL: tuple[tuple[str, frozenset[Stage]], ...] = (
    ("matches", frozenset(ACTIVE_STAGES)),
    ("contacts", frozenset(ACTIVE_STAGES[ORDER[Stage.MATCHMAKING]:])),
    ("ndas", frozenset(ACTIVE_STAGES[ORDER[Stage.NEGOTIATION]:])),
    ("contracts", frozenset(ACTIVE_STAGES[ORDER[Stage.CONTRACT]:])),
    ("production", frozenset({Stage.PILOT, Stage.INDUSTRIALISATION, Stage.BENEFIT_SHARING})),
)


@dataclass(frozen=True)
class FunnelStep:
    step: str
    count: int
    rate_from_previous: Decimal | None  # percent, 1 decimal
    rate_from_start: Decimal | None


def funnel(reached: Iterable[frozenset[Stage]], extra_matches: int = 0) -> list[FunnelStep]:
    """Counts and conversion rates. ``reached`` holds, per case, every stage it has ever been in;
    ``extra_matches`` adds accepted matches that have no case yet to the first step."""
    sets = list(reached)
    counts = [sum(1 for r in sets if r & stages) for _name, stages in FUNNEL]
    counts[0] += extra_matches
    out = []
    for i, (name, _stages) in enumerate(FUNNEL):
        prev = counts[i - 1] if i else None
        out.append(FunnelStep(name, counts[i], _rate(counts[i], prev), _rate(counts[i], counts[0]) if i else None))
    return out


def _rate(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- relay incubation

class HostKind(StrEnum):
    """Where a venture is incubated; relay incubation (接力孵化) moves it along this chain."""

    INCUBATOR = "incubator"
    SCIENCE_PARK = "science_park"
    INDUSTRIAL_PARK = "industrial_park"
    OTHER = "other"


def check_handoff(from_org: int | None, to_org: int, current: Stage) -> None:
    if current not in ACTIVE_STAGES:
        raise IllegalTransition(f"A case that is {current.value} cannot be handed over; reopen it first")
    if from_org is not None and from_org == to_org:
        raise ValidationFailed("Same organisation", errors=[FieldError(
            "to_organisation_id", "hand the case to a different organisation than the current host")])
