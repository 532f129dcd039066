"""The endpoint's admission rules and answer budget, in process (fixtures: made-up client names).

The same rules are exercised over HTTP in test_server_limits.py; these cases pin the arithmetic:
the per-client limit, the last free worker kept for a client with nothing running, slots given
back however the block ends, and the byte budget that always lets one answer through.
"""
from __future__ import annotations

import time

import pytest

from liuzhou_kg.server.admission import Admission, AnswerBudget, Refused


def test_a_client_gets_at_most_per_client_slots():
    admission = Admission(workers=10, per_client=2, retry_after=7)
    with admission.slot("a"), admission.slot("a"):
        with pytest.raises(Refused) as refused:
            with admission.slot("a"):
                pass
        assert refused.value.status == 429 and refused.value.retry_after == 7
        with admission.slot("b"):  # another client is not affected
            assert admission.total == 3
    assert admission.total == 0 and not admission.admitted


def test_the_last_free_worker_is_kept_for_a_client_with_nothing_running():
    admission = Admission(workers=3, per_client=5, retry_after=1)
    with admission.slot("a"), admission.slot("b"):
        with pytest.raises(Refused):  # a has one running and only one worker is free
            with admission.slot("a"):
                pass
        with admission.slot("c"):  # c has none: it may take the last worker
            with admission.slot("d"):  # and d may wait for one
                assert admission.total == 4


def test_a_slot_is_given_back_when_the_block_fails():
    admission = Admission(workers=2, per_client=1, retry_after=1)
    with pytest.raises(RuntimeError):
        with admission.slot("a"):
            raise RuntimeError("the query failed")
    with admission.slot("a"):
        assert admission.total == 1


def test_answer_budget_lets_one_answer_through_and_refuses_past_the_limit():
    budget = AnswerBudget(limit=100, retry_after=3)
    budget.take(250)  # larger than the limit, but nothing else is held
    with pytest.raises(Refused) as refused:
        budget.take(1)
    assert refused.value.status == 503 and refused.value.retry_after == 3
    budget.give_back(250)
    budget.take(60)
    budget.take(40)
    with pytest.raises(Refused):
        budget.take(1)
    assert budget.held == 100


def test_a_penalized_client_waits_and_others_do_not():
    admission = Admission(workers=3, per_client=2, retry_after=1)
    admission.penalize("a")
    with pytest.raises(Refused) as refused:
        with admission.slot("a"):
            pass
    assert refused.value.status == 429 and refused.value.retry_after == 1
    with admission.slot("b"):
        pass
    admission.penalized["a"] = time.monotonic() - 0.01  # the wait is over
    with admission.slot("a"):
        assert admission.total == 1
    assert "a" not in admission.penalized
