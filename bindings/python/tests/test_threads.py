"""Thread safety and the GIL: calls waiting on the network release the GIL, so two Python threads
calling a slow Odoo overlap in time; one Client and one Engine can be shared between threads."""

from __future__ import annotations

import threading
import time

import odoosync

LATENCY_MS = 400


def run_in_threads(n, target):
    """Start n threads running target(i); return [(start, end, result_or_exception)] in thread order."""
    out = [None] * n
    barrier = threading.Barrier(n)

    def body(i):
        barrier.wait()
        start = time.monotonic()
        try:
            result = target(i)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            result = e
        out[i] = (start, time.monotonic(), result)

    threads = [threading.Thread(target=body, args=(i,), name=f"odoosync-test-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread did not finish within 60 s"
    return out


def test_two_threads_calling_a_slow_odoo_overlap_so_the_gil_is_released(fresh_emulator):
    em = fresh_emulator(odoo_version=18, keep_alive=True)
    client = em.client()
    assert client.search_count("res.partner") > 0          # authenticated, version known: one RPC per call now
    em.inject({"kind": "latency", "latency_ms": LATENCY_MS, "times": 0})
    try:
        results = run_in_threads(2, lambda i: client.search_count("res.partner", [("id", ">", i)]))
    finally:
        em.clear_faults()
    for i, (start, end, r) in enumerate(results):
        assert not isinstance(r, BaseException), f"thread {i} raised {r!r}"
        assert end - start >= LATENCY_MS / 1000 * 0.9, \
            f"thread {i}: the call took {end - start:.3f}s, so the injected {LATENCY_MS} ms latency did not apply"
    (s0, e0, _), (s1, e1, _) = results
    overlap = min(e0, e1) - max(s0, s1)
    assert overlap > 0, (f"the two calls did not overlap: [{s0:.3f}, {e0:.3f}] and [{s1:.3f}, {e1:.3f}] "
                         "- the GIL is held while waiting on the network")
    assert overlap > LATENCY_MS / 1000 * 0.5, f"the calls overlapped only {overlap:.3f}s of ~{LATENCY_MS / 1000}s"
    wall = max(e0, e1) - min(s0, s1)
    assert wall < 2 * LATENCY_MS / 1000, f"two {LATENCY_MS} ms calls took {wall:.3f}s in total: they ran one after the other"


def test_python_code_runs_while_another_thread_waits_on_odoo(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    client = em.client()
    client.search_count("res.partner")
    em.inject({"kind": "latency", "latency_ms": LATENCY_MS, "times": 1})
    done = threading.Event()
    t = threading.Thread(target=lambda: (client.search_count("res.partner"), done.set()))
    t.start()
    longest_stall = 0.0
    last = t0 = time.monotonic()
    while not done.is_set() and last - t0 < 10:
        now = time.monotonic()                              # pure Python: needs the GIL
        longest_stall = max(longest_stall, now - last)
        last = now
    t.join()
    assert done.is_set(), "the slow call did not finish"
    assert last - t0 >= LATENCY_MS / 1000 * 0.9, f"the main thread spun only {last - t0:.3f}s: latency not applied?"
    assert longest_stall < LATENCY_MS / 1000 / 2, \
        f"the main thread was blocked for {longest_stall:.3f}s while the other waited on Odoo: GIL held"


def test_one_client_shared_by_many_threads(client):
    expected = client.search_count("product.product", [("default_code", "=like", "EMU-%")])

    def work(i):
        out = []
        for _ in range(15):
            out.append(client.search_count("product.product", [("default_code", "=like", "EMU-%")]))
            rows = client.search_read("product.product", [("id", "=", 5)], fields=["default_code"])
            out.append(rows[0]["default_code"])
        return out

    for i, (_, _, r) in enumerate(run_in_threads(6, work)):
        assert not isinstance(r, BaseException), f"thread {i} raised {r!r}"
        assert r == [expected, "FURN_7777"] * 15, f"thread {i} saw wrong answers"


def test_one_engine_shared_by_submitting_threads(tmp_path):
    engine = odoosync.Engine(odoosync.SqliteStore(str(tmp_path / "threads.db")))

    def submit(i):
        return [engine.submit({"specversion": "1.0", "id": f"t{i}-{k}", "source": "pos/store-1",
                               "type": "retail.stock.adjusted", "time": "2026-12-01T10:15:00Z",
                               "data": {"sku": f"SKU-{k % 7}", "location": "WH/Stock",
                                        "delta": {"value": "1", "uom": "Units"}}})
                for k in range(50)]

    results = run_in_threads(4, submit)
    for i, (_, _, r) in enumerate(results):
        assert not isinstance(r, BaseException), f"thread {i} raised {r!r}"
        assert r == ["accepted"] * 50, f"thread {i}: {r}"
    assert engine.status()["realtime"]["pending"] == 200
    # Submitting them all again from other threads: all duplicates.
    for _, _, r in run_in_threads(4, submit):
        assert r == ["duplicate"] * 50


def test_run_until_idle_in_a_thread_while_the_main_thread_reads_status(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    client = em.client()
    engine = odoosync.Engine(odoosync.MemoryStore(), client, initial_backoff=0.01, max_backoff=0.05)
    for k in range(30):
        engine.submit({"specversion": "1.0", "id": f"rs-{k}", "source": "pos/store-1",
                       "type": "retail.stock.adjusted", "time": "2026-12-01T10:15:00Z",
                       "data": {"sku": ["FURN_7777", "FURN_8888", "FURN_9999"][k % 3], "location": "WH/Stock",
                                "delta": {"value": "1", "uom": "Units"}}})
    em.inject({"kind": "latency", "latency_ms": 50, "times": 0})
    summary = {}
    t = threading.Thread(target=lambda: summary.update(engine.run_until_idle(max_time=30.0)))
    t.start()
    reads = 0
    while t.is_alive():
        st = engine.status()
        assert st["realtime"]["pending"] + st["realtime"]["in_flight"] + st["realtime"]["applied"] == 30, st
        engine.metrics()
        reads += 1
        time.sleep(0.005)
    t.join()
    em.clear_faults()
    assert summary.get("idle") is True and summary.get("applied") == 30, summary
    assert reads >= 2, f"the main thread could read status only {reads} times while the engine ran"
