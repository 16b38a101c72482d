"""A host's own event type written in Python (odoosync.EventType): registered with the engine, checked at
submit, coalesced into batches, applied to Odoo by the host's effect, its errors dead-lettered with their
cause (a client error inside an effect keeping its kind), and bad registrations refused with a message."""

from __future__ import annotations

import threading

import pytest

import odoosync
from odoosync import Engine, EventType

FAST = dict(initial_backoff=0.01, max_backoff=0.05, breaker_cool_down=0.2, unknown_outcome_grace=0.0)


def label(points):
    return f"Loyalty: {points} points"


class LoyaltyEffect:
    """Writes each customer's last balance on its partner (res.partner.function); idempotent by reading back."""

    def __init__(self, balances, calls):
        self.balances = balances
        self.calls = calls

    def _partner(self, client, ref):
        ids = client.search("res.partner", [["ref", "=", ref]])
        if len(ids) != 1:
            raise ValueError(f"customer {ref}: {len(ids)} partners")
        return ids[0]

    def plan(self, client):
        return [("res.partner", "write", f"{ref}: {label(p)}") for ref, p in self.balances.items()]

    def probe(self, client):
        self.calls.append("probe")
        for ref, points in self.balances.items():
            rows = client.read("res.partner", [self._partner(client, ref)], ["function"])
            if rows[0]["function"] != label(points):
                return "absent"
        return "applied"

    def apply(self, client, state):
        self.calls.append(f"apply:{state}")
        for ref, points in self.balances.items():
            client.write("res.partner", [self._partner(client, ref)], {"function": label(points)})


class Loyalty(EventType):
    type = "acme.loyalty.points"
    lane = "realtime"

    def __init__(self):
        self.batches = []  # the events of each effect built, as (token, [ids])
        self.calls = []
        self.threads = set()

    def subject(self, data):
        if not isinstance(data.get("customer"), str) or not data["customer"]:
            raise ValueError("customer: must be a non-empty string")
        if not isinstance(data.get("points"), int) or data["points"] < 0:
            raise ValueError("points: must be a whole number, 0 or more")
        return "customer/" + data["customer"]

    def batch_key(self, event):
        return "acme.loyalty.points"

    def effect(self, events, token):
        self.threads.add(threading.get_ident())
        self.batches.append((token, [e["id"] for e in events]))
        balances = {}
        for e in events:
            balances[e["data"]["customer"]] = e["data"]["points"]  # in order: the last one wins
        return LoyaltyEffect(balances, self.calls)


def customer(id, ref, name):
    return {"specversion": "1.0", "id": id, "source": "acme/crm", "type": "retail.customer.upserted",
            "time": "2026-12-06T09:00:00Z", "data": {"ref": ref, "name": name}}


def points(id, ref, n, source="acme/loyalty"):
    return {"specversion": "1.0", "id": id, "source": source, "type": "acme.loyalty.points",
            "time": "2026-12-06T09:01:00Z", "data": {"customer": ref, "points": n}}


@pytest.fixture
def odoo(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    return em, em.client()


def run(engine):
    summary = engine.run_until_idle(max_time=60.0)
    assert summary["idle"] is True, f"run_until_idle did not reach idle: {summary}"
    return summary


def test_a_python_event_type_is_checked_batched_and_applied(odoo, store):
    _, client = odoo
    loyalty = Loyalty()
    engine = Engine(store, client, event_types=[loyalty], type_lanes={"retail.customer.upserted": "realtime"}, **FAST)
    assert engine.submit(customer("c-1", "ACME-C1", "Ada Lovelace")) == "accepted"
    assert engine.submit(points("l-1", "ACME-C1", 80)) == "accepted"
    assert engine.submit(points("l-2", "ACME-C1", 120)) == "accepted"
    assert engine.submit(points("l-2", "ACME-C1", 999)) == "duplicate"
    with pytest.raises(odoosync.InvalidInput) as refused:
        engine.submit(points("l-3", "ACME-C1", -5))
    assert "points: must be a whole number" in refused.value.message, refused.value.message
    assert engine.get("acme/loyalty", "l-3") is None, "a refused event is not stored"
    stored = engine.get("acme/loyalty", "l-1")
    assert stored["subject"] == "customer/ACME-C1" and stored["lane"] == "realtime", stored

    summary = run(engine)
    assert summary["dead_lettered"] == 0, engine.dead_letters()
    assert summary["applied"] == 3, summary
    # The two balances of one customer coalesced into one effect, which wrote the last one.
    assert [ids for _, ids in loyalty.batches] == [["l-1", "l-2"]], loyalty.batches
    assert "apply:absent" in loyalty.calls, loyalty.calls
    partner = client.search_read("res.partner", [["ref", "=", "ACME-C1"]], ["function"])
    assert [p["function"] for p in partner] == [label(120)], partner
    # The effect ran on the engine's worker thread, not the caller's.
    assert threading.get_ident() not in loyalty.threads


def test_an_exception_in_an_effect_dead_letters_the_batch_with_its_message(odoo, store):
    _, client = odoo

    class Broken(Loyalty):
        type = "acme.broken"

        def effect(self, events, token):
            class Effect:
                def probe(self, client):
                    return False

                def apply(self, client, state):
                    raise RuntimeError("the loyalty service is misconfigured")
            return Effect()

    engine = Engine(store, client, event_types=[Broken()], max_attempts=2, **FAST)
    engine.submit({**points("b-1", "ACME-C1", 1), "type": "acme.broken"})
    run(engine)
    dead = engine.dead_letters()
    assert [d["id"] for d in dead] == ["b-1"], dead
    assert "acme.broken effect apply() raised RuntimeError: the loyalty service is misconfigured" in dead[0]["error"], dead


def test_a_client_error_inside_an_effect_keeps_its_kind(odoo, store):
    """Odoo refusing a call made by the host's effect dead-letters with Odoo's own error, not a Python wrapper."""
    _, client = odoo

    class WritesNowhere(Loyalty):
        type = "acme.nowhere"

        def effect(self, events, token):
            class Effect:
                def probe(self, client):
                    return "absent"

                def apply(self, client, state):
                    client.write("res.partner", [10 ** 9], {"function": "x"})  # no such record
            return Effect()

    engine = Engine(store, client, event_types=[WritesNowhere()], max_attempts=2, **FAST)
    engine.submit({**points("n-1", "ACME-C1", 1), "type": "acme.nowhere"})
    run(engine)
    dead = engine.dead_letters()
    assert [d["id"] for d in dead] == ["n-1"], dead
    assert "raised" not in dead[0]["error"], dead[0]["error"]
    assert "MissingError" in dead[0]["error"] or "not_found" in dead[0]["error"], dead[0]["error"]


def test_bad_registrations_are_refused_with_a_message(odoo):
    _, client = odoo
    store = odoosync.MemoryStore()

    class NoType(Loyalty):
        type = None

    with pytest.raises(odoosync.InvalidInput, match="needs a `type` attribute"):
        Engine(store, client, event_types=[NoType()])

    class Builtin(Loyalty):
        type = "retail.stock.adjusted"

    with pytest.raises(odoosync.InvalidInput, match="already registered"):
        Engine(store, client, event_types=[Builtin()])

    class BadName(Loyalty):
        type = "Acme Points"

    with pytest.raises(odoosync.InvalidInput, match="lowercase"):
        Engine(store, client, event_types=[BadName()])

    class Fast(Loyalty):
        lane = "fast"

    with pytest.raises(odoosync.InvalidInput, match='lane must be "realtime" or "bulk"'):
        Engine(store, client, event_types=[Fast()])

    class NoEffect:
        type = "acme.no.effect"

        def subject(self, data):
            return "x"

    with pytest.raises(odoosync.InvalidInput, match=r"no effect\(\) method"):
        Engine(store, client, event_types=[NoEffect()])

    with pytest.raises(odoosync.InvalidInput, match="is not registered"):
        Engine(store, client, type_lanes={"acme.unknown": "bulk"})
    with pytest.raises(TypeError, match="event_types must be a list"):
        Engine(store, client, event_types="acme.loyalty.points")
    with pytest.raises(TypeError, match="type_lanes must be a dict"):
        Engine(store, client, type_lanes=["retail.customer.upserted"])


def test_a_subject_rule_that_returns_no_str_refuses_the_event(odoo):
    _, client = odoo

    class NoSubject(Loyalty):
        type = "acme.no.subject"

        def subject(self, data):
            return 42

    engine = Engine(odoosync.MemoryStore(), client, event_types=[NoSubject()])
    with pytest.raises(odoosync.InvalidInput, match=r"subject\(\) must return a str, got int"):
        engine.submit({**points("s-1", "ACME-C1", 1), "type": "acme.no.subject"})
