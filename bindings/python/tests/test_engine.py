"""The sync engine from Python, on both stores (MemoryStore and SqliteStore): intake, duplicates,
invalid events, running, status, dead letters with replay after the fix, discard, audit, metrics,
Prometheus text, back-pressure, intake without an Odoo, the background workers."""

from __future__ import annotations

import gc
import json
import time
import urllib.request
from decimal import Decimal

import pytest

import odoosync
from odoosync import Engine, Quantity, make_event

SRC = "pos/store-1"
LANE_KEYS = {"pending", "in_flight", "applied", "dead", "discarded", "open_batches", "oldest_pending_ms"}
LETTER_KEYS = {"source", "id", "type", "subject", "attempts", "error", "body"}
AUDIT_KEYS = {"at_ms", "source", "id", "subject", "action", "attempt", "batch", "error", "correlation_id", "trace_id",
              "rpc_id", "rpc_trace_id", "rpc_span_id"}
# Fast retries so that faults and dead letters settle in well under a second.
FAST = dict(initial_backoff=0.01, max_backoff=0.05, breaker_cool_down=0.2, unknown_outcome_grace=0.0)


@pytest.fixture
def odoo(fresh_emulator):
    """A fresh Odoo 18 emulator per test: exact stock levels, nothing left over from other tests."""
    em = fresh_emulator(odoo_version=18)
    return em, em.client()


def run(engine):
    summary = engine.run_until_idle(max_time=60.0)
    assert summary["idle"] is True, f"run_until_idle did not reach idle: {summary}"
    return summary


def test_submit_accepts_then_reports_duplicates_in_every_input_form(odoo, store, events):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    ev = events.stock("FURN_7777", 3, id="a1")
    assert engine.submit(odoosync.Event.from_dict(ev)) == "accepted"
    assert engine.submit(ev) == "duplicate", "the same (source, id) as a dict"
    assert engine.submit(json.dumps(events.stock("FURN_7777", 99, id="a1"))) == "duplicate", \
        "a repeat is a duplicate even with other data"
    got = engine.get(SRC, "a1")
    assert got is not None and got["status"] == "pending", f"get() after submit: {got!r}"
    assert LETTER_KEYS <= set(got), f"get() keys {sorted(got)}"
    assert got["type"] == "retail.stock.adjusted" and got["subject"] == "sku/FURN_7777@WH/Stock"
    assert json.loads(got["body"])["data"]["delta"]["value"] == "3", "the stored body is the first submission"


def test_an_invalid_event_is_rejected_and_nothing_is_stored(odoo, store, events):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    with pytest.raises(odoosync.InvalidInput) as info:
        engine.submit(events.stock("FURN_7777", "three", id="a2"))
    assert "/data/delta/value" in info.value.message, info.value.message
    assert engine.get(SRC, "a2") is None, "an invalid event must not be stored"
    with pytest.raises(odoosync.InvalidInput):
        engine.submit("{not json")
    m = engine.metrics()
    assert m["rejected"].get("retail.stock.adjusted") == 1, f"rejected by type: {m['rejected']}"
    s = engine.status()
    assert s["realtime"]["pending"] == 0 and s["bulk"]["pending"] == 0


def test_run_until_idle_applies_once_and_status_reports_it(odoo, store, events, stock_of):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    before = stock_of(client, "FURN_7777")
    assert engine.submit(events.stock("FURN_7777", 3, id="r1")) == "accepted"
    assert engine.submit(events.stock("FURN_7777", 2, id="r2")) == "accepted"
    st = engine.status()
    assert set(st) == {"realtime", "bulk"} and LANE_KEYS <= set(st["realtime"]), f"status() shape: {st}"
    assert st["realtime"]["pending"] == 2 and st["bulk"]["pending"] == 0
    summary = run(engine)
    assert set(summary) >= {"idle", "batches", "applied", "retried", "dead_lettered"}
    assert summary["applied"] == 2 and summary["dead_lettered"] == 0 and summary["batches"] >= 1, summary
    assert stock_of(client, "FURN_7777") == before + 5, "the two deltas landed exactly once"
    st = engine.status()["realtime"]
    assert st["applied"] == 2 and st["pending"] == 0 and st["in_flight"] == 0 and st["dead"] == 0, st
    assert engine.get(SRC, "r1")["status"] == "applied"
    # A repeat after it was applied is still a duplicate, with no second effect.
    assert engine.submit(events.stock("FURN_7777", 3, id="r1")) == "duplicate"
    assert run(engine)["applied"] == 0
    assert stock_of(client, "FURN_7777") == before + 5


def test_submit_many_is_one_transaction(odoo, store, events):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    good1, good2 = events.stock("FURN_8888", 1, id="m1"), events.stock("FURN_8888", 1, id="m2")
    with pytest.raises(odoosync.InvalidInput):
        engine.submit_many([good1, events.stock("FURN_8888", "x", id="m-bad"), good2])
    assert engine.get(SRC, "m1") is None and engine.get(SRC, "m2") is None, "one bad event: nothing stored"
    assert engine.submit_many([good1, good2]) == ["accepted", "accepted"]
    got = engine.submit_many([odoosync.Event.from_dict(good2), json.dumps(events.stock("FURN_8888", 1, id="m3"))])
    assert got == ["duplicate", "accepted"], got
    assert engine.status()["realtime"]["pending"] == 3


def test_orders_customers_and_products_flow_through_both_lanes(odoo, store, events):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    # The lanes are independent: an order's customer (bulk lane) must be in Odoo before the order
    # (realtime lane) is sent, or the order is dead-lettered (docs/sync.md). So the customer goes first.
    assert engine.submit(events.customer("walk-in", "Walk-in customer")) == "accepted"
    run(engine)
    assert engine.submit(events.product("PY-NEW-1", "Python product", "4.50")) == "accepted"
    order = make_event("retail.order.created", {
        "number": "WEB-PY-1", "channel": "web/shop", "customer": "walk-in", "currency": "EUR",
        "ordered_at": "2026-12-01T10:14:31Z",
        "lines": [{"sku": "FURN_9999", "quantity": Quantity(2), "unit_price": odoosync.Money("10", "EUR"),
                   "total": odoosync.Money("20", "EUR")}],
        "subtotal": odoosync.Money("20", "EUR"), "tax_total": odoosync.Money("0", "EUR"),
        "total": odoosync.Money("20", "EUR")}, source="web/shop", id="o-1", time="2026-12-01T10:15:00Z")
    assert engine.submit(order) == "accepted"
    st = engine.status()
    assert st["bulk"]["pending"] == 1 and st["realtime"]["pending"] == 1, st
    run(engine)
    assert not engine.dead_letters(), f"nothing should be dead: {engine.dead_letters()}"
    orders = client.search_read("sale.order", [("client_order_ref", "=", "WEB-PY-1")], fields=["state", "amount_total"])
    assert len(orders) == 1 and orders[0]["state"] == "sale", f"the order exists once, confirmed: {orders}"
    products = client.search_read("product.product", [("default_code", "=", "PY-NEW-1")], fields=["name", "list_price"])
    assert products == [{"id": products[0]["id"], "name": "Python product", "list_price": 4.5}], products
    assert engine.status()["bulk"]["applied"] == 2


def test_sequence_orders_events_of_one_subject(odoo, store, events, stock_of):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    engine.submit(events.stock("FURN_8888", -2, id="s2", sequence=2))
    engine.submit(events.count("FURN_8888", 40, id="s1", sequence=1))
    run(engine)
    assert stock_of(client, "FURN_8888") == Decimal(38), "count 40 (seq 1) then delta -2 (seq 2)"
    applied = [a["id"] for a in engine.audit(subject="sku/FURN_8888@WH/Stock") if a["action"] == "applied"]
    assert applied == ["s1", "s2"], f"applied in sequence order: {applied}"


def test_unknown_sku_is_dead_lettered_replayed_after_the_fix_and_discard(odoo, store, events, stock_of):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    before = stock_of(client, "FURN_7777")
    engine.submit_many([events.stock("FURN_7777", 2, id="d1"), events.stock("NO-SUCH-SKU", 5, id="d2"),
                        events.stock("FURN_8888", 1, id="d3")])
    summary = run(engine)
    assert summary["dead_lettered"] == 1 and summary["applied"] == 2, summary
    assert stock_of(client, "FURN_7777") == before + 2, "the good events of the split batch were applied"
    dead = engine.dead_letters()
    assert len(dead) == 1, f"only the bad event is dead-lettered: {dead}"
    d = dead[0]
    assert LETTER_KEYS <= set(d), f"dead letter keys {sorted(d)}"
    assert (d["source"], d["id"], d["type"]) == (SRC, "d2", "retail.stock.adjusted")
    assert d["subject"] == "sku/NO-SUCH-SKU@WH/Stock" and d["attempts"] >= 1
    assert "NO-SUCH-SKU" in d["error"], f"the error names the SKU: {d['error']!r}"
    assert json.loads(d["body"])["data"]["sku"] == "NO-SUCH-SKU"
    assert engine.get(SRC, "d2")["status"] == "dead"
    assert engine.status()["realtime"]["dead"] == 1
    m = engine.metrics()
    assert m["splits"] == 1 and m["lanes"]["realtime"]["dead"] == 1, f"splits/dead in metrics: {m}"
    assert m["lanes"]["realtime"]["by_type"]["retail.stock.adjusted"]["dead_lettered"] == 1

    # Replayed while the SKU is still unknown: dead again.
    assert engine.replay(SRC, "d2") is None
    run(engine)
    assert engine.get(SRC, "d2")["status"] == "dead"

    # The fix: the product now exists (bulk lane), then replay applies it.
    engine.submit(events.product("NO-SUCH-SKU", "Now it exists", "1.00"))
    run(engine)
    engine.replay(SRC, "d2")
    run(engine)
    assert engine.get(SRC, "d2")["status"] == "applied"
    assert stock_of(client, "NO-SUCH-SKU") == Decimal(5)
    assert engine.dead_letters() == []

    # Only dead events can be replayed or discarded.
    with pytest.raises(odoosync.NotFoundError):
        engine.discard(SRC, "d2", "no longer dead")
    with pytest.raises(odoosync.NotFoundError):
        engine.replay(SRC, "d1")
    with pytest.raises(odoosync.NotFoundError):
        engine.replay(SRC, "never-submitted")

    # Discard: a permanent failure dropped with a reason.
    engine.submit(events.stock("GONE", 1, id="d4"))
    run(engine)
    assert [x["id"] for x in engine.dead_letters()] == ["d4"]
    assert engine.discard(SRC, "d4", "SKU retired by the store") is None
    assert engine.get(SRC, "d4")["status"] == "discarded"
    assert engine.dead_letters() == []
    assert engine.status()["realtime"]["discarded"] == 1
    actions = [a["action"] for a in engine.audit(source=SRC, id="d4")]
    assert actions[0] == "submitted" and actions[-1] == "discarded", actions


def test_audit_by_event_subject_and_correlation_id(odoo, store, events):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    engine.submit(events.stock("FURN_9999", 4, id="au1"))
    engine.submit(events.stock("FURN_9999", 1, id="au2"))
    run(engine)
    trail = engine.audit(id="au1")
    assert trail and all(AUDIT_KEYS <= set(a) for a in trail), f"audit rows: {trail}"
    actions = [a["action"] for a in trail]
    assert actions[0] == "submitted" and "claimed" in actions and actions[-1] == "applied", actions
    assert all(a["id"] == "au1" and a["source"] == SRC for a in trail)
    assert all(isinstance(a["at_ms"], int) for a in trail)
    assert [a["at_ms"] for a in trail] == sorted(a["at_ms"] for a in trail), "audit is in time order"
    by_subject = engine.audit(subject="sku/FURN_9999@WH/Stock")
    assert {a["id"] for a in by_subject} == {"au1", "au2"}
    applied = [a for a in trail if a["action"] == "applied"][0]
    assert applied["correlation_id"], "an applied row carries the batch token as correlation id"
    by_token = engine.audit(correlation_id=applied["correlation_id"])
    assert "au1" in {a["id"] for a in by_token}, f"querying by correlation id {applied['correlation_id']!r}"
    assert len(engine.audit(subject="sku/FURN_9999@WH/Stock", limit=1)) == 1


def test_audit_by_trace_finds_the_rpc_that_applied_the_event(odoo, store, events):
    em, client = odoo
    engine = Engine(store, client, **FAST)
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    sale = events.stock("FURN_9999", -2, id="tr1")
    sale["traceparent"] = f"00-{trace}-00f067aa0ba902b7-01"
    engine.submit(sale)
    engine.submit(events.stock("FURN_7777", 1, id="tr2"))  # no trace: carried by the same RPCs
    run(engine)
    rows = engine.audit(trace=trace)
    assert {r["id"] for r in rows} == {"tr1", "tr2"}, rows
    assert all(AUDIT_KEYS <= set(r) for r in rows)
    applied = [r for r in rows if r["id"] == "tr1" and r["action"] == "applied"][0]
    assert applied["trace_id"] == trace and applied["rpc_trace_id"] == trace, applied
    assert len(applied["rpc_span_id"]) == 16 and applied["rpc_id"].startswith(applied["correlation_id"] + "/"), applied
    assert engine.audit(trace=sale["traceparent"]) == rows, "a whole traceparent finds the same"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    seen = json.loads(opener.open(em.url + "/__emulator__/requests", timeout=10).read())
    sent = [c for c in seen if c["traceparent"] == f"00-{trace}-{applied['rpc_span_id']}-01"]
    assert len(sent) == 1 and sent[0]["call"] == "stock.picking.button_validate", sent
    assert sent[0]["correlation_id"] == applied["rpc_id"]
    with pytest.raises(odoosync.InvalidInput, match="trace id"):
        engine.audit(trace="pos/store-1 tr1")
    assert engine.audit(trace="f" * 32) == []


def test_metrics_and_prometheus_after_a_run(odoo, store, events):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    for i in range(5):
        engine.submit(events.stock("FURN_7777", 1, id=f"pm{i}"))
    engine.submit(events.stock("FURN_7777", 1, id="pm0"))
    with pytest.raises(odoosync.InvalidInput):
        engine.submit(events.stock("FURN_7777", "bad", id="pm-bad"))
    run(engine)
    m = engine.metrics()
    assert set(m) >= {"lanes", "rejected", "rpc_count", "rpc_seconds_sum", "rpc_seconds_max", "probes", "splits",
                      "breaker", "breaker_opened"}, f"metrics keys {sorted(m)}"
    rt = m["lanes"]["realtime"]
    assert set(rt) >= {"by_type", "queue_depth", "dead", "oldest_pending_age_s", "batches", "batch_events",
                       "max_batch", "backpressured"}, f"lane keys {sorted(rt)}"
    t = rt["by_type"]["retail.stock.adjusted"]
    assert (t["submitted"], t["duplicates"], t["applied"], t["dead_lettered"]) == (5, 1, 5, 0), t
    assert rt["queue_depth"] == 0 and rt["batches"] >= 1 and rt["batch_events"] == 5 and rt["max_batch"] >= 1
    assert m["rejected"] == {"retail.stock.adjusted": 1}
    assert m["rpc_count"] > 0, "the engine counts the RPCs its client made"
    assert m["rpc_seconds_sum"] > 0 and m["rpc_seconds_max"] > 0
    assert m["rpc_seconds_max"] <= m["rpc_seconds_sum"]
    assert m["breaker_opened"] == 0
    assert engine.breaker_state == "closed"
    text = engine.prometheus()
    assert isinstance(text, str)
    for line in ('odoosync_events_applied_total{lane="realtime",type="retail.stock.adjusted"} 5',
                 'odoosync_events_submitted_total{lane="realtime",type="retail.stock.adjusted"} 5',
                 'odoosync_events_rejected_total{type="retail.stock.adjusted"} 1',
                 'odoosync_queue_depth{lane="realtime"} 0'):
        assert line in text, f"{line!r} missing from the Prometheus text:\n{text}"
    assert "odoosync_rpc_seconds" in text and "odoosync_circuit_open" in text


def test_backpressure_above_high_water_stores_nothing(odoo, store, events):
    _, client = odoo
    engine = Engine(store, client, high_water=2, **FAST)
    engine.submit(events.stock("FURN_7777", 1, id="b1"))
    engine.submit(events.stock("FURN_7777", 1, id="b2"))
    with pytest.raises(odoosync.BackpressureError) as info:
        engine.submit(events.stock("FURN_7777", 1, id="b3"))
    err = info.value
    assert err.kind == "backpressure" and err.retryable is True, (err.kind, err.retryable)
    assert engine.get(SRC, "b3") is None, "a back-pressured event is not stored"
    assert engine.submit(events.product("BP-1", "Bulk lane unaffected", "3.00")) == "accepted", \
        "the bulk lane has its own high-water mark"
    assert engine.metrics()["lanes"]["realtime"]["backpressured"] == 1
    run(engine)
    assert engine.submit(events.stock("FURN_7777", 1, id="b3")) == "accepted", "accepted again once drained"


def test_intake_only_engine_without_a_client(store, events):
    engine = Engine(store)
    assert engine.submit(events.stock("FURN_7777", 1, id="i1")) == "accepted"
    assert engine.status()["realtime"]["pending"] == 1
    with pytest.raises(odoosync.InvalidInput):
        engine.run_until_idle()
    with pytest.raises(odoosync.InvalidInput):
        engine.start()
    assert engine.dead_letters() == []
    assert engine.metrics()["lanes"]["realtime"]["by_type"]["retail.stock.adjusted"]["submitted"] == 1


def test_sqlite_store_keeps_events_for_a_later_process(tmp_path, fresh_emulator, events, stock_of):
    path = str(tmp_path / "handoff.db")
    intake = Engine(odoosync.SqliteStore(path))            # e.g. a till offline: intake only
    intake.submit(events.stock("FURN_8888", 7, id="h1"))
    intake.submit(events.stock("FURN_8888", 1, id="h2"))
    del intake
    gc.collect()
    em = fresh_emulator(odoo_version=18)
    client = em.client()
    before = stock_of(client, "FURN_8888")
    engine = Engine(odoosync.SqliteStore(path), client, **FAST)
    assert engine.status()["realtime"]["pending"] == 2, "the SQLite file kept both events"
    assert engine.submit(events.stock("FURN_8888", 7, id="h1")) == "duplicate"
    assert run(engine)["applied"] == 2
    assert stock_of(client, "FURN_8888") == before + 8


def test_start_and_stop_run_workers_in_the_background(odoo, store, events, stock_of):
    _, client = odoo
    engine = Engine(store, client, **FAST)
    before = stock_of(client, "FURN_9999")
    engine.start()
    try:
        for i in range(10):
            engine.submit(events.stock("FURN_9999", 1, id=f"bg{i}"))
        deadline = time.monotonic() + 20
        while engine.status()["realtime"]["applied"] < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert engine.status()["realtime"]["applied"] == 10, f"background workers applied: {engine.status()}"
    finally:
        stopped = engine.stop(deadline=10.0)
    assert stopped is True, "stop() should finish within its deadline"
    assert stock_of(client, "FURN_9999") == before + 10


def test_retries_through_injected_faults_apply_each_effect_once(odoo, store, events, stock_of):
    em, client = odoo
    engine = Engine(store, client, **FAST)
    before = stock_of(client, "FURN_7777")
    engine.submit(events.stock("FURN_7777", 1, id="warm"))
    run(engine)                                                     # resolves ids, knows the version
    # Odoo commits the pickings, then the connection drops; then validating them hits a serialization
    # failure once. Writes are not retried by the client, so the engine retries (and probes) itself.
    em.inject({"kind": "reset_after", "model": "stock.picking", "method": "load", "times": 1})
    em.inject('{"kind": "serialization_failure", "model": "stock.picking", "method": "button_validate", "times": 1}')
    for i in range(3):
        engine.submit(events.stock("FURN_7777", 1, id=f"f{i}"))
    summary = run(engine)
    em.clear_faults()
    assert summary["applied"] == 3 and summary["retried"] >= 1, summary
    assert stock_of(client, "FURN_7777") == before + 4, "each delta exactly once despite the reset after commit"
    assert engine.metrics()["probes"] >= 1, "a retried batch is probed before it is sent again"


def test_breaker_opens_when_odoo_is_down(odoo, store, events):
    em, client = odoo
    engine = Engine(store, client, breaker_threshold=2, **FAST)
    engine.submit(events.stock("FURN_7777", 1, id="bw"))
    run(engine)
    em.inject({"kind": "down", "times": 0})
    engine.submit(events.stock("FURN_7777", 1, id="bd"))
    summary = engine.run_until_idle(max_time=1.5)
    assert summary["idle"] is False, "Odoo is down: the event stays pending"
    assert engine.metrics()["breaker_opened"] >= 1 and engine.breaker_state in ("open", "half_open")
    assert engine.submit(events.stock("FURN_7777", 1, id="bd2")) == "accepted", "intake goes on while open"
    em.clear_faults()
    run(engine)
    assert engine.get(SRC, "bd")["status"] == "applied" and engine.get(SRC, "bd2")["status"] == "applied"


def test_engine_against_odoo_19_over_json2(fresh_emulator, events, stock_of):
    em = fresh_emulator(odoo_version=19)
    client = em.client()
    assert client.protocol() == "json2"
    engine = Engine(odoosync.MemoryStore(), client, **FAST)
    before = stock_of(client, "FURN_7777")
    engine.submit_many([events.stock("FURN_7777", 4, id="j1"), events.stock("FURN_7777", -1, id="j2"),
                        events.customer("walk-in", "Walk-in customer")])
    engine.submit(events.order("WEB-J2-1", "FURN_8888", 1))
    summary = run(engine)
    assert summary["applied"] == 4 and summary["dead_lettered"] == 0, (summary, engine.dead_letters())
    assert stock_of(client, "FURN_7777") == before + 3
    assert client.search_count("sale.order", [("client_order_ref", "=", "WEB-J2-1")]) == 1
