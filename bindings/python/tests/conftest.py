"""Shared fixtures for the odoosync Python binding tests.

Every test talks to the in-process Odoo emulator (odoosync.Emulator, 127.0.0.1 on a free port): no
network, no real Odoo. A session-wide emulator serves the tests that only read or that create their
own records; tests that depend on exact stock levels or inject faults start their own through
``fresh_emulator``.

Run:  PYTHONPATH=build/dev/bindings/python /usr/bin/python3 -m pytest -q bindings/python/tests
"""

from __future__ import annotations

import decimal
import itertools
import os
import sys

import pytest

import odoosync

# The emulator's Odoo 18 demo data: products FURN_7777, FURN_8888, FURN_9999 (ids 5, 6, 7) with no stock
# in WH/Stock; FURN_0789 16, E-COM08 18, FURN_7800 60 in WH/Stock; FURN_5555 90 in WH/Stock/Shelf 2.


# ---------------------------------------------------------------------------------------------------
# emulators and clients


@pytest.fixture(scope="session")
def emulator():
    """One Odoo 18 emulator (demo data plus EMU-00001..EMU-00040) for the whole session."""
    em = odoosync.Emulator(odoo_version=18, products=40)
    yield em
    em.stop()


@pytest.fixture(scope="session")
def client(emulator):
    """A Client of the session emulator (JSON-RPC with the admin API key)."""
    return emulator.client()


@pytest.fixture
def fresh_emulator():
    """Factory: start an emulator of one's own (same keywords as odoosync.Emulator); all are stopped
    when the test ends. Use it for tests that inject faults or need exact stock levels."""
    started = []

    def start(**kwargs):
        em = odoosync.Emulator(**kwargs)
        started.append(em)
        return em

    yield start
    for em in started:
        em.stop()


def postgres_url():
    """The URL of the test run's PostgreSQL server (ctest's postgres_server fixture writes where it is to
    the file $ODOOSYNC_TEST_POSTGRES names). Without it the PostgreSQL tests fail: they are not skipped."""
    path = os.environ.get("ODOOSYNC_TEST_POSTGRES", "")
    if not path or not os.path.exists(path):
        pytest.fail("no test PostgreSQL server: run through ctest (fixture postgres_server), or start one with "
                    "`build/dev/tests/postgres_fixture start FILE` and set ODOOSYNC_TEST_POSTGRES=FILE")
    port = open(path).read().split()[0]
    return f"postgresql://odoosync@127.0.0.1:{port}/odoosync"


_schemas = itertools.count(1)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request, tmp_path):
    """Each engine test runs with a MemoryStore, a SqliteStore in tmp_path, and a PostgreSQL store (a schema
    of its own on the test run's server, the password from a file: the secret canary)."""
    if request.param == "memory":
        return odoosync.MemoryStore()
    if request.param == "sqlite":
        return odoosync.SqliteStore(str(tmp_path / "odoosync.db"))
    password_file = tmp_path / "postgres.secret"
    password_file.write_text(os.environ.get("ODOOSYNC_CANARY_API_KEY", "") + "\n")
    return odoosync.open_store(postgres_url(), password_file=password_file,
                               schema=f"py_{os.getpid()}_{next(_schemas)}")


# ---------------------------------------------------------------------------------------------------
# event builders (dicts in CloudEvents structured mode, the way a channel would send them)

_ids = itertools.count(1)


class EventFactory:
    """Builds canonical retail events as plain dicts; ids are unique within the session unless given."""

    @staticmethod
    def next_id(prefix="evt"):
        return f"{prefix}-{next(_ids):06d}"

    @staticmethod
    def envelope(type_, data, *, id=None, source="pos/store-1", time="2026-12-01T10:15:00Z", sequence=None):
        ev = {
            "specversion": "1.0",
            "id": id or EventFactory.next_id(),
            "source": source,
            "type": type_,
            "time": time,
            "data": data,
        }
        if sequence is not None:
            ev["sequence"] = str(sequence)
        return ev

    @staticmethod
    def stock(sku, delta, *, location="WH/Stock", id=None, source="pos/store-1", sequence=None, uom="Units"):
        return EventFactory.envelope(
            "retail.stock.adjusted",
            {"sku": sku, "location": location, "delta": {"value": str(delta), "uom": uom}},
            id=id, source=source, sequence=sequence)

    @staticmethod
    def count(sku, counted, *, location="WH/Stock", id=None, source="pos/store-1", sequence=None):
        return EventFactory.envelope(
            "retail.stock.adjusted",
            {"sku": sku, "location": location, "counted": {"value": str(counted), "uom": "Units"}},
            id=id, source=source, sequence=sequence)

    @staticmethod
    def product(sku, name, price, *, id=None, source="erp/pim"):
        return EventFactory.envelope(
            "retail.product.upserted",
            {"sku": sku, "name": name, "list_price": {"amount": price, "currency": "EUR"}},
            id=id, source=source, time="2026-11-30T08:00:00Z")

    @staticmethod
    def customer(ref, name, *, id=None, source="erp/crm"):
        return EventFactory.envelope("retail.customer.upserted", {"ref": ref, "name": name},
                                     id=id, source=source, time="2026-11-30T08:00:00Z")

    @staticmethod
    def order(number, sku, qty, *, unit_price="10.00", customer="walk-in", id=None, source="web/shop"):
        unit = decimal.Decimal(unit_price)
        total = f"{unit * qty:.2f}"
        return EventFactory.envelope(
            "retail.order.created",
            {
                "number": number,
                "channel": "web/shop",
                "customer": customer,
                "currency": "EUR",
                "ordered_at": "2026-12-01T10:14:31Z",
                "lines": [{
                    "sku": sku,
                    "quantity": {"value": str(qty), "uom": "Units"},
                    "unit_price": {"amount": f"{unit:.2f}", "currency": "EUR"},
                    "total": {"amount": total, "currency": "EUR"},
                }],
                "subtotal": {"amount": total, "currency": "EUR"},
                "tax_total": {"amount": "0.00", "currency": "EUR"},
                "total": {"amount": total, "currency": "EUR"},
            },
            id=id, source=source)


@pytest.fixture(scope="session")
def events():
    """The EventFactory: events.stock(sku, delta), events.count(...), events.product(...), ..."""
    return EventFactory


# ---------------------------------------------------------------------------------------------------
# reading Odoo's state


def on_hand(client, sku, location="WH/Stock"):
    """Sum of stock.quant quantities of `sku` at exactly `location`, as a Decimal (via repr of the float)."""
    rows = client.search_read(
        "stock.quant",
        [("product_id.default_code", "=", sku), ("location_id.complete_name", "=", location)],
        fields=["quantity"])
    return sum((decimal.Decimal(repr(r["quantity"])) for r in rows), decimal.Decimal(0))


@pytest.fixture(scope="session")
def stock_of():
    """stock_of(client, sku, location="WH/Stock") -> Decimal on hand."""
    return on_hand


def pytest_report_header(config):
    return f"odoosync module: {getattr(odoosync, '__file__', '?')} (python {sys.version.split()[0]})"
