"""odoosync.Emulator, the in-process Odoo for users' own tests: credentials, modes, generated products,
fixtures, faults, context manager, stop."""

from __future__ import annotations

import json
import time

import pytest

import odoosync


def test_emulator_hands_out_url_and_credentials(emulator):
    assert emulator.url.startswith("http://127.0.0.1:"), emulator.url
    port = int(emulator.url.rsplit(":", 1)[1].rstrip("/"))
    assert 0 < port < 65536
    assert emulator.database == "retail18"
    assert emulator.login == "admin"
    assert emulator.password == "admin"
    assert isinstance(emulator.api_key, str) and len(emulator.api_key) >= 20


def test_client_of_the_emulator(emulator):
    c = emulator.client()
    assert isinstance(c, odoosync.Client)
    assert c.search_count("product.product", [("default_code", "=", "FURN_7777")]) == 1


def test_products_adds_generated_products(emulator, client):
    rows = client.search_read("product.product", [("default_code", "=like", "EMU-%")], fields=["default_code", "barcode"],
                              order="id asc")
    assert [r["default_code"] for r in rows] == [f"EMU-{i:05d}" for i in range(1, 41)]
    assert all(r["barcode"] for r in rows), "generated products have barcodes"


def test_context_manager_stops_the_emulator():
    with odoosync.Emulator(odoo_version=18) as em:
        c = em.client()
        assert c.search_count("res.partner", [("id", "=", 3)]) == 1
        url = em.url
    dead = odoosync.Client(url, database="retail18", login="admin", api_key="x", timeout=3.0)
    with pytest.raises(odoosync.TransportError):
        dead.version()


def test_stop_is_idempotent(fresh_emulator):
    em = fresh_emulator()
    em.stop()
    em.stop()


def test_two_emulators_are_independent(fresh_emulator):
    a, b = fresh_emulator(), fresh_emulator()
    assert a.url != b.url
    ca, cb = a.client(), b.client()
    pid = ca.create("res.partner", {"name": "Only in A"})
    assert ca.search_count("res.partner", [("name", "=", "Only in A")]) == 1
    assert cb.search_count("res.partner", [("name", "=", "Only in A")]) == 0
    assert cb.read("res.partner", [pid], ["name"]) == [], "the record created in A does not exist in B"


def test_odoo_19_mode(fresh_emulator):
    em = fresh_emulator(odoo_version=19)
    assert em.database == "retail19"
    c = em.client()
    assert c.version()["major"] == 19 and c.protocol() == "json2"


def test_odoo_17_mode(fresh_emulator):
    c = fresh_emulator(odoo_version=17).client()
    assert c.version()["major"] == 17 and c.protocol() == "jsonrpc"


def test_fixture_file_is_applied_over_the_seed(fresh_emulator, tmp_path):
    p = tmp_path / "shop.json"
    p.write_text(json.dumps({"res.partner": [{"id": 500, "name": "Fixture Shop", "ref": "FIX-1"}],
                             "product.product": [{"name": "Fixture product", "default_code": "FIX-P-1"}]}))
    c = fresh_emulator(fixture=str(p)).client()
    assert c.read("res.partner", [500], ["name", "ref"]) == [{"id": 500, "name": "Fixture Shop", "ref": "FIX-1"}]
    assert c.search_count("product.product", [("default_code", "=", "FIX-P-1")]) == 1


def test_a_fixture_odoo_would_refuse_stops_the_emulator_with_the_reason(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"res.partner": [{"no_such_field": 1, "name": "x"}]}))
    with pytest.raises(odoosync.Error) as info:
        odoosync.Emulator(fixture=str(p))
    assert "no_such_field" in str(info.value), str(info.value)


def test_inject_takes_a_dict_or_json_text_and_clear_faults_removes_them(fresh_emulator):
    em = fresh_emulator()
    c = em.client()
    c.search_count("res.partner")
    em.inject({"kind": "latency", "latency_ms": 300, "times": 0})
    t0 = time.monotonic()
    c.search_count("res.partner")
    slow = time.monotonic() - t0
    assert slow >= 0.27, f"a 300 ms latency fault made the call take only {slow:.3f}s"
    em.clear_faults()
    t0 = time.monotonic()
    c.search_count("res.partner")
    assert time.monotonic() - t0 < 0.25, "clear_faults() should remove the latency"
    em.inject('{"kind": "serialization_failure", "model": "res.partner", "method": "create", "times": 1}')
    with pytest.raises(odoosync.ConflictError):
        c.create("res.partner", {"name": "x"})
    assert c.create("res.partner", {"name": "x"}) > 0, "times: 1 is consumed by one call"


def test_a_malformed_fault_is_refused(fresh_emulator):
    em = fresh_emulator()
    with pytest.raises((odoosync.Error, ValueError)):
        em.inject("{not json")


def test_down_fault_makes_every_call_fail(fresh_emulator):
    em = fresh_emulator()
    c = em.client()
    c.search_count("res.partner")
    em.inject({"kind": "down", "times": 0})
    with pytest.raises(odoosync.HttpError) as info:
        c.create("res.partner", {"name": "while down"})
    assert info.value.http_status == 503
    em.clear_faults()
    assert c.create("res.partner", {"name": "after down"}) > 0
