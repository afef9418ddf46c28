"""A bulk batch reserves its certificate numbers in one statement; they must be the numbers (and the error)
that one ``next_certificate_numbers`` call per group gives. Runs on SQLite and, in CI, on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from techbridge.errors import ValidationFailed
from techbridge.services.contracts.workflow import next_certificate_numbers
from techbridge.services.contracts.workflow import reserve_certificate_numbers as _reserve_numbers
from techbridge.storage.db import Database
from techbridge.storage.tables.contracts import ContractNumberCounterRow


def test_batch_reservation_continues_each_group_like_single_reservations(db: Database) -> None:
    with db.transaction() as session:
        assert next_certificate_numbers(session, 2024, "110000", 2) == ["2024110000000001", "2024110000000002"]
        got = _reserve_numbers(session, {(2024, "310000"): 2, (2024, "110000"): 3, (2023, "110000"): 1})
        assert got == {(2023, "110000"): ["2023110000000001"],
                       (2024, "110000"): ["2024110000000003", "2024110000000004", "2024110000000005"],
                       (2024, "310000"): ["2024310000000001", "2024310000000002"]}
        assert next_certificate_numbers(session, 2024, "310000") == ["2024310000000003"]


def test_batch_reservation_past_the_last_number_names_the_registry(db: Database) -> None:
    with db.transaction() as session:
        next_certificate_numbers(session, 2024, "110000")
        session.execute(update(ContractNumberCounterRow).values(last_sequence=999_998))
    with pytest.raises(ValidationFailed) as err, db.transaction() as session:
        _reserve_numbers(session, {(2024, "110000"): 2})
    assert [e.field for e in err.value.errors] == ["registry_region"]
    assert "110000 reached 999999 in 2024" in err.value.errors[0].message
