"""揭榜挂帅 challenge calls: the workflow as an explicit transition table, and the rules around it.

Stdlib only. Everything a practitioner would ask "who may do this, when, and what happens" about is
data here, so the services, the pages, the documentation and the tests all read the same table:

* ``CALL_TRANSITIONS``: action → (allowed from-states, to-state, parties allowed, deadline rule,
  reason required). A party is a relation between the actor and the call (issuer, operator …), not a
  platform role, because "issuer" means "a member of the issuing organisation".
* conflict of interest: an expert may not score an application of their own organisation, of an
  organisation of a team member, or one listing a result owned by their organisation.
* score aggregation: weighted rubric total per review, then a trimmed mean over reviewers (drop the
  single highest and lowest total when there are at least ``TRIM_FROM`` reviewers).
* staged funding: money in integer fen; milestone shares in basis points summing to 10,000; each
  release is the difference of floored cumulative amounts, so the releases always add up exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from techbridge.errors import FieldError, IllegalTransition, PermissionDenied, ValidationFailed


class CallState(StrEnum):
    DRAFT = "draft"  # 需求征集/凝练: the issuer writes the call
    SUBMITTED = "submitted"  # 审核: waiting for the operator's review
    PUBLISHED = "published"  # 发榜: open for applications until the deadline
    EVALUATING = "evaluating"  # 评审: applications closed, expert panel scores
    NOTICE = "notice"  # 公示: ranking public, objections may be raised
    IMPLEMENTING = "implementing"  # 实施: awarded team(s) work through milestones
    ACCEPTED = "accepted"  # 验收: final acceptance passed
    REWARDED = "rewarded"  # 兑现奖励: reward paid (terminal)
    TERMINATED = "terminated"  # 终止 (terminal)


TERMINAL_STATES = frozenset({CallState.REWARDED, CallState.TERMINATED})


class Party(StrEnum):
    """How an actor relates to a call; each action lists the parties allowed to take it."""

    ISSUER = "issuer"  # a member of the issuing organisation
    OPERATOR = "operator"  # platform operator (reviews calls, runs the panel and the notice)
    APPLICANT = "applicant"  # a member of an applying organisation
    EXPERT = "expert"  # a user with the expert role on the call's panel
    PUBLIC = "public"  # any signed-in user


class DeadlineRule(StrEnum):
    """When, relative to the call's dates, an action is allowed."""

    NONE = "none"
    DEADLINE_IN_FUTURE = "deadline_in_future"  # the application deadline is still ahead
    AFTER_DEADLINE = "after_deadline"  # the application deadline has passed
    BEFORE_DEADLINE = "before_deadline"  # on or before the application deadline
    NOTICE_OPEN = "notice_open"  # inside the objection window
    NOTICE_ENDED = "notice_ended"  # the objection window is over


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[CallState]
    target: CallState
    parties: frozenset[Party]
    deadline: DeadlineRule = DeadlineRule.NONE
    needs_reason: bool = False


def _t(action: str, sources: Iterable[CallState], target: CallState, parties: Iterable[Party],
       deadline: DeadlineRule = DeadlineRule.NONE, needs_reason: bool = False) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(parties), deadline, needs_reason)


S = CallState
P = Party
CALL_TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("submit", [S.DRAFT], S.SUBMITTED, [P.ISSUER], DeadlineRule.DEADLINE_IN_FUTURE),
    _t("return", [S.SUBMITTED], S.DRAFT, [P.OPERATOR], needs_reason=True),
    _t("publish", [S.SUBMITTED], S.PUBLISHED, [P.OPERATOR], DeadlineRule.DEADLINE_IN_FUTURE),
    _t("close_applications", [S.PUBLISHED], S.EVALUATING, [P.ISSUER, P.OPERATOR], DeadlineRule.AFTER_DEADLINE),
    _t("start_notice", [S.EVALUATING], S.NOTICE, [P.OPERATOR]),
    _t("reopen_review", [S.NOTICE], S.EVALUATING, [P.OPERATOR], needs_reason=True),
    _t("award", [S.NOTICE], S.IMPLEMENTING, [P.ISSUER], DeadlineRule.NOTICE_ENDED),
    _t("accept", [S.IMPLEMENTING], S.ACCEPTED, [P.OPERATOR]),
    _t("pay_reward", [S.ACCEPTED], S.REWARDED, [P.ISSUER]),
    _t("terminate", [S.PUBLISHED, S.EVALUATING, S.NOTICE, S.IMPLEMENTING], S.TERMINATED,
       [P.ISSUER, P.OPERATOR], needs_reason=True),
)}

# Actions on a call that do not change its state, with the state and parties they need.
CALL_ACTIVITIES: dict[str, tuple[frozenset[CallState], frozenset[Party], DeadlineRule]] = {
    "edit": (frozenset({S.DRAFT}), frozenset({P.ISSUER}), DeadlineRule.NONE),
    "invite": (frozenset({S.SUBMITTED, S.PUBLISHED}), frozenset({P.ISSUER, P.OPERATOR}), DeadlineRule.NONE),
    "apply": (frozenset({S.PUBLISHED}), frozenset({P.APPLICANT}), DeadlineRule.BEFORE_DEADLINE),
    "withdraw_application": (frozenset({S.PUBLISHED}), frozenset({P.APPLICANT}), DeadlineRule.BEFORE_DEADLINE),
    "assign_panel": (frozenset({S.PUBLISHED, S.EVALUATING}), frozenset({P.OPERATOR}), DeadlineRule.NONE),
    "score": (frozenset({S.EVALUATING}), frozenset({P.EXPERT}), DeadlineRule.NONE),
    "object": (frozenset({S.NOTICE}), frozenset({P.PUBLIC}), DeadlineRule.NOTICE_OPEN),
    "resolve_objection": (frozenset({S.NOTICE}), frozenset({P.OPERATOR}), DeadlineRule.NONE),
    "review_milestone": (frozenset({S.IMPLEMENTING}), frozenset({P.ISSUER, P.OPERATOR}), DeadlineRule.NONE),
}

ACTION_LABELS_ZH = {
    "submit": "提交审核", "return": "退回修改", "publish": "审核通过并发榜", "close_applications": "截止揭榜并进入评审",
    "start_notice": "发布评审结果公示", "reopen_review": "重新评审", "award": "确定揭榜方并签约",
    "accept": "最终验收通过", "pay_reward": "兑现奖励", "terminate": "终止",
}

NOTICE_DAYS = 5  # default 公示期 in calendar days; each call sets its own
MIN_REVIEWS = 3  # reviews each eligible application needs before the ranking can be published
TRIM_FROM = 5  # from this many reviewers on, the highest and lowest totals are dropped
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class CallDates:
    """The dates a deadline rule looks at."""

    deadline: dt.date | None
    notice_until: dt.date | None = None


def deadline_problem(rule: DeadlineRule, dates: CallDates, today: dt.date) -> str | None:
    """Why ``rule`` forbids acting ``today`` (None when it allows it)."""
    if rule is DeadlineRule.NONE:
        return None
    if rule in (DeadlineRule.DEADLINE_IN_FUTURE, DeadlineRule.AFTER_DEADLINE, DeadlineRule.BEFORE_DEADLINE):
        if dates.deadline is None:
            return "the call has no application deadline; set deadline first"
        if rule is DeadlineRule.DEADLINE_IN_FUTURE and dates.deadline <= today:
            return f"the application deadline {dates.deadline.isoformat()} is not in the future; move it later"
        if rule is DeadlineRule.AFTER_DEADLINE and today <= dates.deadline:
            return f"applications stay open until {dates.deadline.isoformat()}; close them after that day"
        if rule is DeadlineRule.BEFORE_DEADLINE and today > dates.deadline:
            return f"the application deadline {dates.deadline.isoformat()} has passed"
        return None
    if dates.notice_until is None:
        return "the public notice has not started"
    if rule is DeadlineRule.NOTICE_OPEN and today > dates.notice_until:
        return f"the objection window ended on {dates.notice_until.isoformat()}"
    if rule is DeadlineRule.NOTICE_ENDED and today <= dates.notice_until:
        return f"the public notice runs until {dates.notice_until.isoformat()}; award after that day"
    return None


# How long each state may last before its next step is overdue, and who owes that step. Published and notice
# states end on the call's own dates; implementing ends with the milestones (see ``milestone_due``).
STEP_DAYS: dict[CallState, tuple[int, Party]] = {
    S.SUBMITTED: (10, Party.OPERATOR),  # the operator reviews a submitted call within 10 days
    S.EVALUATING: (30, Party.OPERATOR),  # the panel scores and the ranking is published within 30 days
    S.ACCEPTED: (30, Party.ISSUER),  # the reward is paid within 30 days of final acceptance
}


def step_due(state: CallState, entered: dt.date, dates: CallDates) -> tuple[dt.date, Party] | None:
    """When the step that ends ``state`` is due and who owes it (None: no deadline, e.g. drafts)."""
    if state is CallState.PUBLISHED and dates.deadline is not None:
        return dates.deadline + dt.timedelta(days=1), Party.ISSUER  # close applications the day after
    if state is CallState.NOTICE and dates.notice_until is not None:
        return dates.notice_until + dt.timedelta(days=1), Party.ISSUER  # award once the window is over
    if state in STEP_DAYS:
        days, party = STEP_DAYS[state]
        return entered + dt.timedelta(days=days), party
    return None


def milestone_due(awarded_on: dt.date, due_month: int) -> dt.date:
    """The calendar date of a milestone due ``due_month`` months after the award (clamped to month end)."""
    month = awarded_on.month - 1 + due_month
    year, month = awarded_on.year + month // 12, month % 12 + 1
    days_in_month = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(awarded_on.day, days_in_month))


def check_transition(action: str, state: CallState, parties: frozenset[Party], dates: CallDates,
                     today: dt.date, reason: str = "") -> CallState:
    """The state ``action`` leads to, or the error that says why it is not allowed now.

    Order of checks: unknown action (422), wrong state (409), wrong party (403), missing reason (422),
    deadline rule (409). The state is checked before the party so that a wrong step reads as
    "not now" to everyone, which is what the envelope's IllegalTransition is for.
    """
    transition = CALL_TRANSITIONS.get(action)
    if transition is None:
        raise ValidationFailed("Unknown action", errors=[FieldError(
            "action", f"use one of {', '.join(CALL_TRANSITIONS)}")])
    if state not in transition.sources:
        allowed = ", ".join(sorted(s.value for s in transition.sources))
        raise IllegalTransition(f"Cannot {action} a call that is {state.value}; allowed from: {allowed}")
    if not parties & transition.parties:
        who = " or ".join(sorted(p.value for p in transition.parties))
        raise PermissionDenied(f"Only the {who} may {action} this call")
    if transition.needs_reason and not reason.strip():
        raise ValidationFailed("A reason is required", errors=[FieldError("reason", f"say why you {action}")])
    problem = deadline_problem(transition.deadline, dates, today)
    if problem:
        raise IllegalTransition(f"Cannot {action} now: {problem}")
    return transition.target


def check_activity(activity: str, state: CallState, parties: frozenset[Party], dates: CallDates,
                   today: dt.date) -> None:
    """Raise unless ``activity`` (apply, score, object …) is allowed for these parties now."""
    states, allowed_parties, rule = CALL_ACTIVITIES[activity]
    if state not in states:
        raise IllegalTransition(f"Cannot {activity.replace('_', ' ')} while the call is {state.value}")
    if not parties & allowed_parties:
        who = " or ".join(sorted(p.value for p in allowed_parties))
        raise PermissionDenied(f"Only the {who} may {activity.replace('_', ' ')} on this call")
    problem = deadline_problem(rule, dates, today)
    if problem:
        raise IllegalTransition(f"Cannot {activity.replace('_', ' ')} now: {problem}")


def available_actions(state: CallState, parties: frozenset[Party]) -> list[str]:
    """Transitions this actor could take from ``state`` (deadline rules are checked when acting)."""
    return [t.action for t in CALL_TRANSITIONS.values() if state in t.sources and parties & t.parties]


# ---------------------------------------------------------------- conflict of interest

@dataclass(frozen=True)
class ExpertProfile:
    user_id: int
    organisation_id: int | None
    person_id: int | None = None


@dataclass(frozen=True)
class ApplicantProfile:
    organisation_id: int
    member_person_ids: frozenset[int] = frozenset()
    member_organisation_ids: frozenset[int] = frozenset()
    result_owner_ids: frozenset[int] = frozenset()  # owners of the technologies listed as prior results


def conflicts(expert: ExpertProfile, applicant: ApplicantProfile) -> list[str]:
    """Every reason the expert must be excluded from scoring this application (empty: no conflict)."""
    reasons: list[str] = []
    org = expert.organisation_id
    if org is not None and org == applicant.organisation_id:
        reasons.append("same organisation as the applicant")
    if org is not None and org in applicant.member_organisation_ids and org != applicant.organisation_id:
        reasons.append("same organisation as a team member")
    if expert.person_id is not None and expert.person_id in applicant.member_person_ids:
        reasons.append("is a member of the applying team")
    if org is not None and org in applicant.result_owner_ids:
        reasons.append("their organisation owns a result the application lists")
    return reasons


# ---------------------------------------------------------------- rubric and aggregation

@dataclass(frozen=True)
class Criterion:
    key: str
    label_zh: str
    label_en: str
    weight: int  # percent; the weights of a rubric add up to 100


DEFAULT_RUBRIC: tuple[Criterion, ...] = (
    Criterion("approach", "技术路线可行性", "Feasibility of the technical approach", 30),
    Criterion("team", "团队能力", "Team capability", 25),
    Criterion("prior_results", "前期成果基础", "Prior results", 20),
    Criterion("metrics", "考核指标可达性", "Reachability of the acceptance metrics", 15),
    Criterion("budget", "预算合理性", "Reasonable budget", 10),
)
MAX_CRITERION_SCORE = 10


def weighted_total(scores: Mapping[str, int | float | Decimal], rubric: Sequence[Criterion] = DEFAULT_RUBRIC
                   ) -> Decimal:
    """One reviewer's total on 0–100: Σ weight × score / 10, each score 0–10 on every criterion."""
    errors = []
    for criterion in rubric:
        value = scores.get(criterion.key)
        if value is None:
            errors.append(FieldError(f"scores.{criterion.key}", f"score {criterion.label_en} from 0 to 10"))
        elif not 0 <= Decimal(str(value)) <= MAX_CRITERION_SCORE:
            errors.append(FieldError(f"scores.{criterion.key}", "must be between 0 and 10"))
    unknown = set(scores) - {c.key for c in rubric}
    errors.extend(FieldError(f"scores.{key}", "not a criterion of this rubric; remove it") for key in sorted(unknown))
    if errors:
        raise ValidationFailed("The scores do not fit the rubric", errors=errors)
    total = sum((Decimal(c.weight) * Decimal(str(scores[c.key])) for c in rubric), Decimal(0))
    return (total / MAX_CRITERION_SCORE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Aggregate:
    score: Decimal | None
    reviewers: int
    dropped: tuple[Decimal, ...]
    method: str


def aggregate(totals: Sequence[Decimal]) -> Aggregate:
    """Combine reviewers' totals: plain mean below ``TRIM_FROM`` reviewers, otherwise drop the single
    highest and single lowest total and average the rest (one outlier cannot carry or sink a team)."""
    values = sorted(totals)
    if not values:
        return Aggregate(None, 0, (), "none")
    dropped: tuple[Decimal, ...] = ()
    method = "mean"
    if len(values) >= TRIM_FROM:
        dropped = (values[0], values[-1])
        values = values[1:-1]
        method = "trimmed_mean_drop_high_low"
    mean = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Aggregate(mean, len(totals), dropped, method)


@dataclass(frozen=True)
class Ranked:
    application_id: int
    rank: int
    aggregate: Aggregate


def rank(aggregates: Mapping[int, Aggregate]) -> list[Ranked]:
    """Order applications by score (high first); ties go to more reviewers, then the earlier application.
    Applications without any review are ranked last, in id order."""
    def key(item: tuple[int, Aggregate]) -> tuple[int, Decimal, int, int]:
        app_id, agg = item
        return (0 if agg.score is not None else 1, -(agg.score or Decimal(0)), -agg.reviewers, app_id)

    return [Ranked(app_id, position, agg)
            for position, (app_id, agg) in enumerate(sorted(aggregates.items(), key=key), start=1)]


# ---------------------------------------------------------------- staged funding

def check_shares(shares_bp: Sequence[int]) -> list[FieldError]:
    """Milestone shares are positive basis points (1/100 of a percent) adding up to exactly 10,000."""
    errors = [FieldError(f"milestones.{i}.share_bp", "must be a positive share (basis points, 1% = 100)")
              for i, share in enumerate(shares_bp) if share <= 0]
    if not shares_bp:
        errors.append(FieldError("milestones", "add at least one milestone with its share of the funding"))
    elif sum(shares_bp) != BASIS_POINTS:
        errors.append(FieldError("milestones", f"shares add up to {sum(shares_bp) / 100:g}%; they must add up "
                                               "to 100%"))
    return errors


def releases(total_fen: int, shares_bp: Sequence[int]) -> list[int]:
    """How much each milestone releases (fen). Release i = ⌊total × cum_i / 10000⌋ − ⌊total × cum_{i−1} / 10000⌋,
    so every release is within one fen of its exact share and the releases add up to ``total_fen``."""
    if total_fen < 0:
        raise ValidationFailed("Negative amount", errors=[FieldError("amount_fen", "must be zero or more")])
    errors = check_shares(shares_bp)
    if errors:
        raise ValidationFailed("Milestone shares are not valid", errors=errors)
    out, cumulative, released = [], 0, 0
    for share in shares_bp:
        cumulative += share
        upto = total_fen * cumulative // BASIS_POINTS
        out.append(upto - released)
        released = upto
    return out


def split_award(total_fen: int, winners: int) -> list[int]:
    """Split a reward among ``winners`` parallel teams (赛马) as evenly as fen allow; earlier ranks get
    the odd fen. The parts add up to ``total_fen``."""
    if winners < 1:
        raise ValidationFailed("No winner chosen", errors=[FieldError("winners", "choose at least one application")])
    base, extra = divmod(total_fen, winners)
    return [base + (1 if i < extra else 0) for i in range(winners)]


def fen_from_yuan(value: str | int | Decimal) -> int:
    """Parse an amount in yuan (up to 2 decimals) into integer fen; money never goes through float."""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except ArithmeticError:
        raise ValidationFailed("Not an amount", errors=[FieldError("amount", "write a number of yuan, e.g. 1500000")]
                               ) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("Not an amount", errors=[FieldError(
            "amount", "write a non-negative number of yuan with at most 2 decimals")])
    return int(amount * 100)


def yuan(fen: int) -> str:
    """Fen as a yuan string with 2 decimals (for display and JSON)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
