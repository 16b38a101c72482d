"""Stock reconciliation: a snapshot matching Odoo has zero drift; a snapshot that differs shows each
row's drift as exact Decimals; correcting events submitted through the engine make Odoo match again."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import odoosync
from odoosync import Engine, MemoryStore, correcting_events, reconcile_stock

DRIFT_KEYS = {"sku", "location", "channel", "odoo", "drift", "unknown_in_odoo"}

# What a fresh Odoo 18 emulator holds (demo quants).
MATCHING = [("FURN_0789", "WH/Stock", "16"), ("E-COM08", "WH/Stock", "18"), ("FURN_5555", "WH/Stock/Shelf 2", "90")]


@pytest.fixture
def client(fresh_emulator):
    """Reconciliation needs exact stock levels: a fresh emulator per test (shadows the session client)."""
    return fresh_emulator(odoo_version=18).client()


def test_a_matching_snapshot_has_zero_drift(client):
    report = reconcile_stock(client, MATCHING)
    assert isinstance(report, dict), f"reconcile_stock should return a dict, got {type(report).__name__}"
    assert (report["compared"], report["matching"], report["drift"]) == (3, 3, []), f"report {report}"


@pytest.mark.parametrize("quantity", ["16", 16, Decimal("16"), Decimal("16.000")])
def test_snapshot_quantities_as_str_int_or_decimal(client, quantity):
    report = reconcile_stock(client, [("FURN_0789", "WH/Stock", quantity)])
    assert (report["compared"], report["matching"]) == (1, 1), f"quantity {quantity!r}: {report}"


def test_snapshot_from_a_csv_file(client, tmp_path):
    p = tmp_path / "store-12.csv"
    p.write_text('sku,location,quantity,uom\nFURN_0789,WH/Stock,16,Units\n"FURN_5555","WH/Stock/Shelf 2",90,\n'
                 "E-COM08,WH/Stock,20,Units\n", encoding="utf-8")
    report = reconcile_stock(client, str(p))
    assert report["compared"] == 3 and report["matching"] == 2, report
    [row] = report["drift"]
    assert (row["sku"], row["location"], row["channel"], row["odoo"], row["drift"]) == \
        ("E-COM08", "WH/Stock", Decimal(20), Decimal(18), Decimal(2)), row


def test_snapshot_from_a_jsonl_file_and_a_pathlib_path(client, tmp_path):
    p = tmp_path / "store-12.jsonl"
    p.write_text('{"sku": "FURN_0789", "location": "WH/Stock", "quantity": "16"}\n'
                 '{"sku": "FURN_5555", "location": "WH/Stock/Shelf 2", "quantity": 90, "uom": "Units"}\n',
                 encoding="utf-8")
    report = reconcile_stock(client, str(p), page_size=1)
    assert (report["compared"], report["matching"], report["drift"]) == (2, 2, []), report
    try:
        as_path = reconcile_stock(client, p)
    except TypeError:
        pytest.skip("reconcile_stock takes a str path only (a pathlib.Path is not accepted)")
    assert as_path["matching"] == 2


def test_drift_rows_are_exact_decimals_in_snapshot_order(client):
    snapshot = [("FURN_0789", "WH/Stock", "20"),          # Odoo 16: +4
                ("E-COM08", "WH/Stock", "18"),            # matches
                ("NO-SUCH-SKU", "WH/Stock", "5"),         # unknown in Odoo
                ("FURN_7777", "WH/Stock", "3.5"),         # known, nothing on hand: Odoo 0
                ("FURN_7800", "WH/Stock", "0")]           # Odoo 60: -60
    report = reconcile_stock(client, snapshot)
    assert report["compared"] == 5 and report["matching"] == 1, report
    assert report["compared"] == report["matching"] + len(report["drift"])
    rows = report["drift"]
    assert [r["sku"] for r in rows] == ["FURN_0789", "NO-SUCH-SKU", "FURN_7777", "FURN_7800"], "snapshot order"
    for r in rows:
        assert DRIFT_KEYS <= set(r), f"drift row keys {sorted(r)}"
        for k in ("channel", "odoo", "drift"):
            assert isinstance(r[k], Decimal), f"{r['sku']} {k} should be a Decimal, got {type(r[k]).__name__}"
        assert r["drift"] == r["channel"] - r["odoo"]
    by_sku = {r["sku"]: r for r in rows}
    assert (by_sku["FURN_0789"]["odoo"], by_sku["FURN_0789"]["drift"]) == (Decimal(16), Decimal(4))
    assert by_sku["FURN_0789"]["unknown_in_odoo"] is False
    unknown = by_sku["NO-SUCH-SKU"]
    assert unknown["unknown_in_odoo"] is True and unknown["odoo"] == 0 and unknown["drift"] == Decimal(5)
    assert by_sku["FURN_7777"]["drift"] == Decimal("3.5") and by_sku["FURN_7777"]["unknown_in_odoo"] is False
    assert by_sku["FURN_7800"]["drift"] == Decimal(-60)


def test_correcting_events_through_the_engine_bring_drift_to_zero(client):
    snapshot = [("FURN_0789", "WH/Stock", "20"), ("E-COM08", "WH/Stock", "18"),
                ("FURN_7777", "WH/Stock", "3.5"), ("NO-SUCH-SKU", "WH/Stock", "5")]
    report = reconcile_stock(client, snapshot)
    assert len(report["drift"]) == 3, report

    fix = correcting_events(report, "pos/store-12", time="2026-12-01T10:00:00Z")
    assert isinstance(fix, list) and all(isinstance(e, odoosync.Event) for e in fix)
    assert len(fix) == 2, "one count per fixable row; the SKU Odoo lacks is left out"
    data = {e.to_dict()["data"]["sku"]: e.to_dict()["data"] for e in fix}
    assert data["FURN_0789"]["counted"] == {"value": "20", "uom": "Units"}
    assert data["FURN_0789"]["reason"] == "reconciliation: Odoo had 16"
    assert data["FURN_7777"]["counted"]["value"] == "3.5"
    for e in fix:
        assert e.type == "retail.stock.adjusted" and e.source == "pos/store-12"
        assert e.id.startswith("reconcile-") and e.time == "2026-12-01T10:00:00Z"
    again = correcting_events(report, "pos/store-12", time="2026-12-01T10:00:00Z")
    assert [e.id for e in again] == [e.id for e in fix], "the same fix gives the same ids"

    engine = Engine(MemoryStore(), client, initial_backoff=0.01, max_backoff=0.05)
    assert engine.submit_many(fix) == ["accepted", "accepted"]
    assert engine.submit_many(again) == ["duplicate", "duplicate"], "a second submission of the fix is a duplicate"
    summary = engine.run_until_idle(max_time=60.0)
    assert summary["idle"] and summary["applied"] == 2, summary

    fixed = [row for row in snapshot if row[0] != "NO-SUCH-SKU"]
    after = reconcile_stock(client, fixed)
    assert (after["compared"], after["matching"], after["drift"]) == (3, 3, []), f"after the fix: {after}"


def test_correcting_events_without_time_are_stamped_now(client):
    report = reconcile_stock(client, [("FURN_0789", "WH/Stock", "17")])
    [ev] = correcting_events(report, "pos/store-12")
    assert ev.time.endswith("Z") and ev.time[:4].isdigit()


def test_a_bad_snapshot_names_the_line_and_column(client, tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("sku,location,quantity\nFURN_0789,WH/Stock,-2\n", encoding="utf-8")
    with pytest.raises(odoosync.InvalidInput) as info:
        reconcile_stock(client, str(p))
    assert 'line 2, column "quantity": "-2" must not be negative (a snapshot holds counts)' in info.value.message, \
        info.value.message
    assert str(p) in info.value.message or "bad.csv" in info.value.message, "the path prefixes the message"


def test_a_snapshot_with_a_row_given_twice_is_refused(client):
    with pytest.raises(odoosync.InvalidInput, match="given twice"):
        reconcile_stock(client, [("A", "WH/Stock", "1"), ("A", "WH/Stock", "2")])


def test_a_snapshot_with_an_unknown_extension_is_refused(client, tmp_path):
    p = tmp_path / "store.txt"
    p.write_text("sku,location,quantity\n", encoding="utf-8")
    with pytest.raises(odoosync.InvalidInput, match="unknown snapshot format"):
        reconcile_stock(client, str(p))


def test_a_missing_snapshot_file_is_a_storage_error(client, tmp_path):
    with pytest.raises(odoosync.StorageError) as info:
        reconcile_stock(client, str(tmp_path / "missing.csv"))
    assert "cannot open the snapshot" in info.value.message and info.value.kind == "storage"


def test_reconcile_report_is_json_serialisable_with_decimals_as_strings(client):
    report = reconcile_stock(client, [("FURN_0789", "WH/Stock", "1")])
    text = json.dumps(report, default=str)
    assert '"drift": "-15"' in text, text
