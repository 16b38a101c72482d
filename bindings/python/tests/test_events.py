"""Canonical retail events (CloudEvents 1.0): construct with make_event, validate, encode to canonical
JSON, decode from text or dicts; Money, Quantity and Decimal values in data; the exact error messages."""

from __future__ import annotations

import datetime
import json
import pathlib
import re
from decimal import Decimal

import pytest

import odoosync
from odoosync import Event, Money, Quantity, make_event

EVENTS_DIR = pathlib.Path(__file__).resolve().parents[3] / "tests" / "data" / "events"

VALID = sorted((EVENTS_DIR / "valid").glob("*.json"))
INVALID = sorted((EVENTS_DIR / "invalid").glob("*.json"))

ALL_TYPES = {
    "retail.product.upserted", "retail.price.changed", "retail.stock.adjusted", "retail.stock.reserved",
    "retail.stock.released", "retail.goods.received", "retail.transfer.completed", "retail.order.created",
    "retail.order.cancelled", "retail.payment.captured", "retail.refund.approved", "retail.shipment.dispatched",
    "retail.shipment.tracked", "retail.invoice.posted", "retail.customer.upserted",
}

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_event_types_lists_the_15_types():
    types = odoosync.event_types()
    assert isinstance(types, list) and len(types) == 15, f"expected 15 event types, got {types!r}"
    assert set(types) == ALL_TYPES


def test_catalogue_is_present():
    assert len(VALID) >= 28 and len(INVALID) >= 50, f"tests/data/events not found under {EVENTS_DIR}"


# ------------------------------------------------------------------------------------------ decode


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_every_valid_example_decodes_and_round_trips(path):
    text = path.read_text(encoding="utf-8")
    ev = Event.decode(text)
    assert ev.type == path.stem.rsplit("-", 1)[0], f"{path.name}: type {ev.type!r}"
    raw = json.loads(text)
    assert ev.id == raw["id"] and ev.source == raw["source"]
    assert ev.subject and "/" in ev.subject, f"{path.name}: the subject is derived when absent, got {ev.subject!r}"
    assert RFC3339_UTC.match(ev.time), f"{path.name}: time is kept in UTC with Z, got {ev.time!r}"
    canonical = ev.to_json()
    again = Event.decode(canonical)
    assert again == ev, f"{path.name}: decode(to_json()) differs"
    assert again.to_json() == canonical, f"{path.name}: the canonical form is a fixed point"
    from_dict = Event.from_dict(raw)
    assert from_dict == ev, f"{path.name}: from_dict(json.loads(text)) differs from decode(text)"
    d = ev.to_dict()
    assert isinstance(d, dict) and d["specversion"] == "1.0" and isinstance(d["data"], dict)
    assert Event.from_dict(d) == ev, f"{path.name}: from_dict(to_dict()) differs"
    assert json.loads(canonical) == d, f"{path.name}: to_dict() is the canonical JSON as Python data"


def _catalogue_input(entry):
    if "event" in entry:
        return json.dumps(entry["event"], ensure_ascii=False)
    return entry["text"]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_every_malformed_event_fails_with_its_exact_error(path):
    entry = json.loads(path.read_text(encoding="utf-8"))
    with pytest.raises(odoosync.InvalidInput) as info:
        Event.decode(_catalogue_input(entry))
    err = info.value
    assert err.kind == "validation", f"{path.name}: kind {err.kind!r}"
    assert isinstance(err, ValueError), "InvalidInput is also a ValueError"
    if "error" in entry:
        assert err.message == entry["error"], f"{path.name}: {entry['description']}"
    else:
        assert err.message.startswith(entry["error_prefix"]), f"{path.name}: {err.message!r}"


def test_invalid_delta_message_names_the_json_pointer():
    text = json.dumps({"specversion": "1.0", "id": "e1", "source": "pos/store-1", "type": "retail.stock.adjusted",
                       "time": "2026-12-01T10:15:00Z",
                       "data": {"sku": "SKU-1", "location": "WH/Stock", "delta": {"value": "three", "uom": "Units"}}})
    with pytest.raises(odoosync.InvalidInput) as info:
        Event.decode(text)
    assert info.value.message == '/data/delta/value: must be a decimal string such as "12.50"'
    assert info.value.retryable is False and info.value.outcome_unknown is False
    assert '/data/delta/value' in str(info.value)


def test_from_dict_validates_like_decode():
    d = {"specversion": "1.0", "id": "e1", "source": "pos/store-1", "type": "retail.stock.adjusted",
         "time": "2026-12-01T10:15:00Z", "data": {"sku": "SKU-1", "location": "WH/Stock"}}
    with pytest.raises(odoosync.InvalidInput, match='/data: must have exactly one of "delta" or "counted"'):
        Event.from_dict(d)


def test_decode_refuses_non_json():
    with pytest.raises(odoosync.InvalidInput) as info:
        Event.decode("specversion=1.0")
    assert info.value.message.startswith("(event): not JSON"), info.value.message
    assert str(info.value).startswith("validation: (event): not JSON"), "str() is the one-line kind: message form"


def test_decode_normalises_time_to_utc():
    ev = Event.decode((EVENTS_DIR / "valid" / "retail.goods.received-2.json").read_text())
    assert ev.time == "2026-11-28T07:10:00Z", f"+01:00 is kept in UTC: {ev.time}"


def test_extension_attributes_are_kept():
    ev = Event.decode((EVENTS_DIR / "valid" / "retail.customer.upserted-2.json").read_text())
    assert ev.to_dict()["crmobject"] == "company"
    assert ev.sequence == 11 and ev.subject == "customer/C-10043"


# ------------------------------------------------------------------------------------------ make_event


def test_make_event_with_quantity_matches_the_canonical_json():
    ev = make_event("retail.stock.adjusted",
                    {"sku": "SKU-1", "location": "WH/Stock", "delta": Quantity(-2), "reason": "sale"},
                    source="pos/store-12", id="evt-1", time="2026-12-01T10:00:00Z", sequence=7)
    assert isinstance(ev, Event)
    assert ev.subject == "sku/SKU-1@WH/Stock"
    assert ev.type == "retail.stock.adjusted" and ev.id == "evt-1" and ev.source == "pos/store-12"
    assert ev.sequence == 7
    assert ev.to_json() == (
        '{"specversion":"1.0","id":"evt-1","source":"pos/store-12","type":"retail.stock.adjusted",'
        '"time":"2026-12-01T10:00:00Z","subject":"sku/SKU-1@WH/Stock","datacontenttype":"application/json",'
        '"dataschema":"https://odoosync.dev/schemas/retail.stock.adjusted.v1.json","sequence":"7",'
        '"data":{"sku":"SKU-1","location":"WH/Stock","delta":{"value":"-2","uom":"Units"},"reason":"sale"}}')


def test_make_event_accepts_money_quantity_and_decimal_anywhere_in_data():
    data = {
        "number": "WEB-1001", "channel": "web/shop", "customer": "C-1", "currency": "EUR",
        "ordered_at": "2026-12-01T10:14:31Z",
        "lines": [
            {"sku": "FURN_7777", "quantity": Quantity(3), "unit_price": Money("9.99", "EUR"),
             "total": Money(Decimal("29.97"), "EUR"), "tax": {"amount": Decimal("6.29"), "currency": "EUR"}},
            {"sku": "FURN_8888", "quantity": {"value": Decimal("1.5"), "uom": "Units"},
             "unit_price": Money("2", "EUR"), "total": Money("3.00", "EUR")},
        ],
        "subtotal": Money("32.97", "EUR"), "tax_total": Money("6.29", "EUR"), "total": Money("39.26", "EUR"),
    }
    ev = make_event("retail.order.created", data, source="web/shop", id="ord-1001", time="2026-12-01T10:15:00Z")
    d = ev.to_dict()["data"]
    assert d["lines"][0]["quantity"] == {"value": "3", "uom": "Units"}
    assert d["lines"][0]["unit_price"] == {"amount": "9.99", "currency": "EUR"}
    assert d["lines"][0]["tax"] == {"amount": "6.29", "currency": "EUR"}, "a Decimal becomes a decimal string"
    assert d["lines"][1]["quantity"] == {"value": "1.5", "uom": "Units"}
    assert d["lines"][1]["unit_price"] == {"amount": "2.00", "currency": "EUR"}, "written with the currency's decimals"
    assert d["total"] == {"amount": "39.26", "currency": "EUR"}
    assert ev.subject == "order/WEB-1001"
    # The money adds up exactly when read back as Decimal.
    total = sum(Decimal(line["total"]["amount"]) for line in d["lines"])
    assert total == Decimal(d["subtotal"]["amount"]) == Decimal("32.97")


def test_make_event_refuses_totals_that_do_not_add_up():
    data = {"number": "WEB-1", "channel": "web/shop", "currency": "EUR", "ordered_at": "2026-12-01T10:14:31Z",
            "lines": [{"sku": "A", "quantity": Quantity(2), "unit_price": Money("12", "EUR"),
                       "total": Money("25", "EUR")}],
            "subtotal": Money("25", "EUR"), "tax_total": Money("0", "EUR"), "total": Money("25", "EUR")}
    with pytest.raises(odoosync.InvalidInput) as info:
        make_event("retail.order.created", data, source="web/shop", id="bad-1")
    assert info.value.message == \
        "/data/lines/0/total/amount: must be 24.00 (quantity × unit_price − discount), not 25.00"


def test_make_event_refuses_both_delta_and_counted():
    with pytest.raises(odoosync.InvalidInput) as info:
        make_event("retail.stock.adjusted",
                   {"sku": "SKU-1", "location": "WH/Stock", "delta": Quantity(1), "counted": Quantity(5)},
                   source="pos/store-12", id="evt-2")
    assert info.value.message == '/data: must have exactly one of "delta" or "counted"'


def test_make_event_refuses_an_unknown_type_and_an_empty_id():
    with pytest.raises(odoosync.InvalidInput, match='unknown event type "retail.foo.bar"'):
        make_event("retail.foo.bar", {}, source="pos/store-12", id="x")
    with pytest.raises(odoosync.InvalidInput, match="/id: must not be empty"):
        make_event("retail.stock.adjusted", {"sku": "A", "location": "WH/Stock", "delta": Quantity(1)},
                   source="pos/store-12", id="")


def test_make_event_refuses_float_values_in_data():
    with pytest.raises((TypeError, odoosync.InvalidInput)):
        make_event("retail.stock.adjusted", {"sku": "A", "location": "WH/Stock", "delta": {"value": 1.5, "uom": "Units"}},
                   source="pos/store-12", id="f-1")


def test_make_event_without_time_uses_now_in_utc():
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    ev = make_event("retail.customer.upserted", {"ref": "C-1", "name": "Jane"}, source="web/shop", id="c-1")
    after = datetime.datetime.now(datetime.timezone.utc)
    assert RFC3339_UTC.match(ev.time), ev.time
    t = datetime.datetime.fromisoformat(ev.time.replace("Z", "+00:00"))
    assert before - datetime.timedelta(seconds=1) <= t <= after + datetime.timedelta(seconds=1), \
        f"time=None should be now ({before}..{after}), got {ev.time}"
    assert ev.sequence is None


def test_make_event_with_traceparent():
    tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    ev = make_event("retail.order.cancelled", {"number": "SO-1", "reason": "customer"}, source="web/shop",
                    id="x-1", time="2026-12-01T10:15:00Z", traceparent=tp)
    assert ev.to_dict()["traceparent"] == tp
    with pytest.raises(odoosync.InvalidInput, match="traceparent"):
        make_event("retail.order.cancelled", {"number": "SO-1"}, source="web/shop", id="x-2", traceparent="nope")


def test_event_equality_and_attributes():
    kw = dict(source="pos/store-1", time="2026-12-01T10:15:00Z")
    a = make_event("retail.stock.adjusted", {"sku": "A", "location": "WH/Stock", "counted": Quantity(5)}, id="e-1", **kw)
    b = Event.decode(a.to_json())
    c = make_event("retail.stock.adjusted", {"sku": "A", "location": "WH/Stock", "counted": Quantity(6)}, id="e-1", **kw)
    assert a == b
    assert a != c, "different data: not equal"
    assert a.to_dict()["data"]["counted"] == {"value": "5", "uom": "Units"}
    assert a.time == "2026-12-01T10:15:00Z" and a.subject == "sku/A@WH/Stock"
