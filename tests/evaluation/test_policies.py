"""Who may do what in this area (domain policies)."""

from __future__ import annotations

import pytest

from techbridge.domain import evaluation as ev
from techbridge.domain import events as de
from techbridge.domain.roles import Role
from techbridge.errors import IllegalTransition, PermissionDenied

OP, INV, EXP, ENT, MGR, INST = (frozenset({r}) for r in (Role.OPERATOR, Role.INVESTOR, Role.EXPERT,
                                                         Role.ENTERPRISE_MEMBER, Role.TECHNOLOGY_MANAGER,
                                                         Role.INSTITUTION_MEMBER))


def test_evaluation_record_authors() -> None:
    assert ev.may_file_record("self", INST, organisation_id=3, owner_id=3)
    assert not ev.may_file_record("self", INST, organisation_id=4, owner_id=3)
    assert not ev.may_file_record("self", INST, organisation_id=None, owner_id=None)
    assert ev.may_file_record("second_party", ENT, None, 3) and ev.may_file_record("second_party", MGR, None, 3)
    assert not ev.may_file_record("second_party", EXP, None, 3)
    assert ev.may_file_record("third_party", EXP, None, 3) and not ev.may_file_record("third_party", INV, None, 3)
    assert ev.may_file_record("self", OP, None, 3)


def test_event_roles() -> None:
    assert de.can_organise(OP) and not de.can_organise(INV)
    assert de.acts_for(INV, 7, participant_user_id=7, organiser_user_id=None)
    assert not de.acts_for(INV, 7, participant_user_id=None, organiser_user_id=None)
    assert not de.acts_for(frozenset(), None, participant_user_id=None, organiser_user_id=None)
    assert de.acts_for(frozenset(), 9, participant_user_id=None, organiser_user_id=9)
    de.require_organiser(OP, 1, None)
    with pytest.raises(PermissionDenied):
        de.require_organiser(INV, 1, 2)


def test_request_state_machine() -> None:
    de.check_request_transition("pending", de.RequestStatus.ACCEPTED)
    de.check_request_transition("accepted", de.RequestStatus.CANCELLED)
    for current, target in (("declined", de.RequestStatus.ACCEPTED), ("accepted", de.RequestStatus.DECLINED),
                            ("pending", de.RequestStatus.CANCELLED), ("cancelled", de.RequestStatus.ACCEPTED)):
        with pytest.raises(IllegalTransition):
            de.check_request_transition(current, target)
