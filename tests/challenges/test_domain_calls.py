"""The challenge-call state machine, exhaustively: every action from every state by every party, the deadline
rules, conflict of interest, score aggregation and staged funding arithmetic."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from techbridge.domain import challenges as rules
from techbridge.domain.challenges import (
    CALL_TRANSITIONS,
    ApplicantProfile,
    CallDates,
    CallState,
    DeadlineRule,
    ExpertProfile,
    Party,
)
from techbridge.errors import IllegalTransition, PermissionDenied, ValidationFailed

TODAY = dt.date(2026, 6, 1)
# Dates under which every deadline rule of the table is satisfied for its own action.
OK_DATES = {
    DeadlineRule.NONE: CallDates(TODAY + dt.timedelta(days=10)),
    DeadlineRule.DEADLINE_IN_FUTURE: CallDates(TODAY + dt.timedelta(days=10)),
    DeadlineRule.AFTER_DEADLINE: CallDates(TODAY - dt.timedelta(days=1)),
    DeadlineRule.BEFORE_DEADLINE: CallDates(TODAY),
    DeadlineRule.NOTICE_OPEN: CallDates(TODAY - dt.timedelta(days=9), TODAY),
    DeadlineRule.NOTICE_ENDED: CallDates(TODAY - dt.timedelta(days=9), TODAY - dt.timedelta(days=1)),
}
EXPECTED = {  # action: (from states, to state, parties) — the table as documented in docs/challenges.md
    "submit": ({"draft"}, "submitted", {"issuer"}),
    "return": ({"submitted"}, "draft", {"operator"}),
    "publish": ({"submitted"}, "published", {"operator"}),
    "close_applications": ({"published"}, "evaluating", {"issuer", "operator"}),
    "start_notice": ({"evaluating"}, "notice", {"operator"}),
    "reopen_review": ({"notice"}, "evaluating", {"operator"}),
    "award": ({"notice"}, "implementing", {"issuer"}),
    "accept": ({"implementing"}, "accepted", {"operator"}),
    "pay_reward": ({"accepted"}, "rewarded", {"issuer"}),
    "terminate": ({"published", "evaluating", "notice", "implementing"}, "terminated", {"issuer", "operator"}),
}


def test_table_is_the_documented_one() -> None:
    assert {a: ({s.value for s in t.sources}, t.target.value, {p.value for p in t.parties})
            for a, t in CALL_TRANSITIONS.items()} == EXPECTED


def test_terminal_states_have_no_way_out() -> None:
    for state in rules.TERMINAL_STATES:
        assert rules.available_actions(state, frozenset(Party)) == []


@pytest.mark.parametrize(("action", "state", "party"),
                         list(itertools.product(CALL_TRANSITIONS, CallState, Party)))
def test_every_action_state_and_party(action: str, state: CallState, party: Party) -> None:
    transition = CALL_TRANSITIONS[action]
    dates = OK_DATES[transition.deadline]
    call = lambda: rules.check_transition(action, state, frozenset({party}), dates, TODAY, "because")  # noqa: E731
    if state not in transition.sources:
        with pytest.raises(IllegalTransition, match=f"Cannot {action}"):
            call()
    elif party not in transition.parties:
        with pytest.raises(PermissionDenied, match="Only the"):
            call()
    else:
        assert call() is transition.target


@pytest.mark.parametrize("action", [a for a, t in CALL_TRANSITIONS.items() if t.needs_reason])
def test_reason_required(action: str) -> None:
    transition = CALL_TRANSITIONS[action]
    state = next(iter(transition.sources))
    party = frozenset(transition.parties)
    with pytest.raises(ValidationFailed) as info:
        rules.check_transition(action, state, party, OK_DATES[transition.deadline], TODAY, "  ")
    assert info.value.errors[0].field == "reason"


@pytest.mark.parametrize(("rule", "dates", "allowed"), [
    (DeadlineRule.DEADLINE_IN_FUTURE, CallDates(TODAY + dt.timedelta(days=1)), True),
    (DeadlineRule.DEADLINE_IN_FUTURE, CallDates(TODAY), False),
    (DeadlineRule.DEADLINE_IN_FUTURE, CallDates(None), False),
    (DeadlineRule.AFTER_DEADLINE, CallDates(TODAY), False),
    (DeadlineRule.AFTER_DEADLINE, CallDates(TODAY - dt.timedelta(days=1)), True),
    (DeadlineRule.BEFORE_DEADLINE, CallDates(TODAY), True),
    (DeadlineRule.BEFORE_DEADLINE, CallDates(TODAY - dt.timedelta(days=1)), False),
    (DeadlineRule.NOTICE_OPEN, CallDates(TODAY, TODAY), True),
    (DeadlineRule.NOTICE_OPEN, CallDates(TODAY, TODAY - dt.timedelta(days=1)), False),
    (DeadlineRule.NOTICE_OPEN, CallDates(TODAY, None), False),
    (DeadlineRule.NOTICE_ENDED, CallDates(TODAY, TODAY), False),
    (DeadlineRule.NOTICE_ENDED, CallDates(TODAY, TODAY - dt.timedelta(days=1)), True),
])
def test_deadline_rules(rule: DeadlineRule, dates: CallDates, allowed: bool) -> None:
    assert (rules.deadline_problem(rule, dates, TODAY) is None) is allowed


def test_deadline_rule_blocks_the_transition() -> None:
    with pytest.raises(IllegalTransition, match="stay open until"):
        rules.check_transition("close_applications", CallState.PUBLISHED, frozenset({Party.OPERATOR}),
                               CallDates(TODAY), TODAY)
    with pytest.raises(IllegalTransition, match="runs until"):
        rules.check_transition("award", CallState.NOTICE, frozenset({Party.ISSUER}), CallDates(TODAY, TODAY), TODAY)


@pytest.mark.parametrize(("activity", "state", "party"),
                         list(itertools.product(rules.CALL_ACTIVITIES, CallState, Party)))
def test_every_activity(activity: str, state: CallState, party: Party) -> None:
    states, parties, rule = rules.CALL_ACTIVITIES[activity]
    call = lambda: rules.check_activity(activity, state, frozenset({party}), OK_DATES[rule], TODAY)  # noqa: E731
    if state not in states:
        with pytest.raises(IllegalTransition):
            call()
    elif party not in parties:
        with pytest.raises(PermissionDenied):
            call()
    else:
        call()


def test_unknown_action() -> None:
    with pytest.raises(ValidationFailed):
        rules.check_transition("fly", CallState.DRAFT, frozenset({Party.ISSUER}), CallDates(TODAY), TODAY)


# ---------------------------------------------------------------- conflict of interest

@pytest.mark.parametrize(("expert", "applicant", "expected"), [
    (ExpertProfile(1, 10), ApplicantProfile(10), ["same organisation as the applicant"]),
    (ExpertProfile(1, 10), ApplicantProfile(11), []),
    (ExpertProfile(1, None), ApplicantProfile(11), []),
    (ExpertProfile(1, 12), ApplicantProfile(11, member_organisation_ids=frozenset({12})),
     ["same organisation as a team member"]),
    (ExpertProfile(1, 13, person_id=5), ApplicantProfile(11, member_person_ids=frozenset({5})),
     ["is a member of the applying team"]),
    (ExpertProfile(1, 14), ApplicantProfile(11, result_owner_ids=frozenset({14})),
     ["their organisation owns a result the application lists"]),
    (ExpertProfile(1, 11), ApplicantProfile(11, result_owner_ids=frozenset({11}),
                                            member_organisation_ids=frozenset({11})),
     ["same organisation as the applicant", "their organisation owns a result the application lists"]),
])
def test_conflicts(expert: ExpertProfile, applicant: ApplicantProfile, expected: list[str]) -> None:
    assert rules.conflicts(expert, applicant) == expected


# ---------------------------------------------------------------- scores

def test_weighted_total() -> None:
    assert rules.weighted_total({"approach": 10, "team": 10, "prior_results": 10, "metrics": 10, "budget": 10}) \
        == Decimal("100.00")
    assert rules.weighted_total({"approach": 8, "team": 7, "prior_results": 6, "metrics": 9, "budget": 5}) \
        == Decimal("72.00")  # (30×8 + 25×7 + 20×6 + 15×9 + 10×5) / 10
    assert rules.weighted_total({"approach": "7.5", "team": 7, "prior_results": 6, "metrics": 9, "budget": 5}) \
        == Decimal("70.50")


def test_weighted_total_names_every_bad_field() -> None:
    with pytest.raises(ValidationFailed) as info:
        rules.weighted_total({"approach": 11, "team": 7, "bogus": 1})
    fields = {e.field for e in info.value.errors}
    assert fields == {"scores.approach", "scores.prior_results", "scores.metrics", "scores.budget", "scores.bogus"}


@pytest.mark.parametrize(("totals", "score", "method", "dropped"), [
    ([], None, "none", ()),
    (["80"], "80.00", "mean", ()),
    (["80", "70", "90", "60"], "75.00", "mean", ()),
    (["80", "70", "90", "60", "10"], "70.00", "trimmed_mean_drop_high_low", ("10", "90")),
    (["80", "81", "82", "83", "100", "0"], "81.50", "trimmed_mean_drop_high_low", ("0", "100")),
    (["70", "70", "70", "70", "70"], "70.00", "trimmed_mean_drop_high_low", ("70", "70")),
    (["66.67", "66.66", "66.66"], "66.66", "mean", ()),
])
def test_aggregate(totals: list[str], score: str | None, method: str, dropped: tuple[str, ...]) -> None:
    result = rules.aggregate([Decimal(t) for t in totals])
    assert (str(result.score) if result.score is not None else None) == score
    assert result.method == method
    assert tuple(str(d) for d in result.dropped) == dropped
    assert result.reviewers == len(totals)


def test_one_outlier_cannot_sink_a_team_with_five_reviewers() -> None:
    honest = rules.aggregate([Decimal(x) for x in ("85", "86", "84", "85", "85")])
    sabotaged = rules.aggregate([Decimal(x) for x in ("85", "86", "84", "85", "0")])
    assert honest.score == Decimal("85.00")
    assert sabotaged.score == Decimal("84.67")


def test_rank_orders_by_score_then_reviewers_then_id() -> None:
    aggs = {1: rules.aggregate([Decimal(70)]), 2: rules.aggregate([Decimal(80)]),
            3: rules.aggregate([Decimal(80), Decimal(80)]), 4: rules.aggregate([])}
    assert [r.application_id for r in rules.rank(aggs)] == [3, 2, 1, 4]
    assert [r.rank for r in rules.rank(aggs)] == [1, 2, 3, 4]


# ---------------------------------------------------------------- money

@pytest.mark.parametrize(("total", "shares", "expected"), [
    (100_000_000, [3000, 4000, 3000], [30_000_000, 40_000_000, 30_000_000]),
    (100, [3333, 3333, 3334], [33, 33, 34]),
    (1, [5000, 5000], [0, 1]),
    (0, [10000], [0]),
    (1_000_001, [2500, 2500, 2500, 2500], [250_000, 250_000, 250_000, 250_001]),
])
def test_releases(total: int, shares: list[int], expected: list[int]) -> None:
    assert rules.releases(total, shares) == expected
    assert sum(rules.releases(total, shares)) == total


def test_releases_always_add_up() -> None:
    for total in (1, 7, 99, 12_345_67, 999_999_999_999):
        for shares in ([10000], [1, 9999], [3333, 3333, 3334], [1000] * 10, [2000, 1500, 6500]):
            parts = rules.releases(total, shares)
            assert sum(parts) == total
            assert all(abs(p * 10000 - total * s) < 10000 for p, s in zip(parts, shares, strict=True))


@pytest.mark.parametrize("shares", [[5000, 4000], [], [10000, 0], [12000, -2000]])
def test_bad_shares(shares: list[int]) -> None:
    with pytest.raises(ValidationFailed):
        rules.releases(100, shares)


def test_split_award() -> None:
    assert rules.split_award(100, 3) == [34, 33, 33]
    assert rules.split_award(300_000_000, 2) == [150_000_000, 150_000_000]
    with pytest.raises(ValidationFailed):
        rules.split_award(100, 0)


@pytest.mark.parametrize(("text", "fen"), [("1500000", 150_000_000), ("0.01", 1), ("1,234.5", 123_450), (7, 700)])
def test_fen_from_yuan(text: str | int, fen: int) -> None:
    assert rules.fen_from_yuan(text) == fen
    assert rules.yuan(fen) == f"{Decimal(fen) / 100:.2f}"


@pytest.mark.parametrize("text", ["-1", "0.001", "abc", "NaN", "inf"])
def test_fen_from_yuan_rejects(text: str) -> None:
    with pytest.raises(ValidationFailed):
        rules.fen_from_yuan(text)


# ---------------------------------------------------------------- step deadlines

def test_step_due() -> None:
    entered = dt.date(2026, 1, 10)
    dates = CallDates(dt.date(2026, 2, 1), dt.date(2026, 3, 5))
    assert rules.step_due(CallState.DRAFT, entered, dates) is None
    assert rules.step_due(CallState.SUBMITTED, entered, dates) == (dt.date(2026, 1, 20), Party.OPERATOR)
    assert rules.step_due(CallState.PUBLISHED, entered, dates) == (dt.date(2026, 2, 2), Party.ISSUER)
    assert rules.step_due(CallState.EVALUATING, entered, dates) == (dt.date(2026, 2, 9), Party.OPERATOR)
    assert rules.step_due(CallState.NOTICE, entered, dates) == (dt.date(2026, 3, 6), Party.ISSUER)
    assert rules.step_due(CallState.ACCEPTED, entered, dates) == (dt.date(2026, 2, 9), Party.ISSUER)
    assert rules.step_due(CallState.REWARDED, entered, dates) is None


@pytest.mark.parametrize(("awarded", "months", "due"), [
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)), (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2026, 11, 15), 2, dt.date(2027, 1, 15)), (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
    (dt.date(2026, 5, 10), 18, dt.date(2027, 11, 10)),
])
def test_milestone_due(awarded: dt.date, months: int, due: dt.date) -> None:
    assert rules.milestone_due(awarded, months) == due
