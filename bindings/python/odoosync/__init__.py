"""odoosync for Python: the C++ SDK's Odoo client, retail events and idempotent sync engine.

    import odoosync
    c = odoosync.Client.from_env()
    for p in c.search_read("product.product", odoosync.field("sale_ok") == True, fields=["name", "list_price"]):
        ...

Errors raise odoosync.Error subclasses (odoosync.errors). Calls release the GIL while they wait on the
network or the disk, so threads overlap. docs/python.md has the whole API."""

import json as _json
import os as _os
import urllib.request as _urllib

from . import _odoosync
from .domain import Domain, Field, field
from .errors import (AccessDenied, AccessError, AuthError, BackpressureError, CancelledError, ConflictError, Error,
                     HttpError, InvalidInput, MissingError, NotFoundError, OdooError, ProtocolError, StorageError,
                     TransportError, UserError, ValidationError)
from .events import Event, event_types, make_event
from .values import Money, Quantity

Client = _odoosync.Client
Engine = _odoosync.Engine
Store = _odoosync.Store
reconcile_stock = _odoosync.reconcile_stock
correcting_events = _odoosync.correcting_events

__version__ = "0.1.0"


def SqliteStore(path):
    """The embedded store: one SQLite file (WAL, migrated on open). Created when missing."""
    return _odoosync._sqlite_store(_os.fspath(path))


def MemoryStore():
    """A store in memory: for tests; its queue ends with the process."""
    return _odoosync._memory_store()


def _emulator_data_dir():
    here = _os.path.join(_os.path.dirname(__file__), "emulator_data")
    return here if _os.path.isdir(here) else ""


class Emulator:
    """The odoosync Odoo emulator on 127.0.0.1 (a free port), for your own tests:

        with odoosync.Emulator(odoo_version=19, products=100) as odoo:
            c = odoo.client()
            odoo.inject({"kind": "http_503", "times": 1})

    It speaks JSON-RPC (17, 18, 19) and JSON-2 (19) with Odoo's shapes for the retail models, and injects
    faults (docs/emulator.md): latency, http_502/503/504/429, reset_before, reset_after,
    serialization_failure, session_expired, key_expired, down."""

    def __init__(self, odoo_version=18, products=0, keep_alive=False, fixture=None, seed=1):
        self._e = _odoosync._emulator(odoo_version, products, keep_alive, _os.fspath(fixture) if fixture else "",
                                      seed, _emulator_data_dir())

    url = property(lambda self: self._e.url)
    database = property(lambda self: self._e.database)
    login = property(lambda self: self._e.login)
    api_key = property(lambda self: self._e.api_key)
    password = property(lambda self: self._e.password)

    def client(self, **kwargs):
        """A Client for this emulator (API key login)."""
        return Client(self.url, database=self.database, login=self.login, api_key=self.api_key, **kwargs)

    def inject(self, fault):
        """A fault: {"kind": "http_503", "model": "", "method": "", "times": 1, "latency_ms": 0,
        "retry_after_s": 1, "probability": 1.0} (a dict or its JSON text)."""
        self._e.inject(fault if isinstance(fault, str) else _json.dumps(fault))

    def clear_faults(self):
        req = _urllib.Request(self.url + "/__emulator__/faults", method="DELETE")
        with _urllib.urlopen(req) as r:
            r.read()

    def stop(self):
        self._e.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


__all__ = ["AccessDenied", "AccessError", "AuthError", "BackpressureError", "CancelledError", "Client", "ConflictError",
           "Domain", "Emulator", "Engine", "Error", "Event", "Field", "HttpError", "InvalidInput", "MemoryStore",
           "MissingError", "Money", "NotFoundError", "OdooError", "ProtocolError", "Quantity", "SqliteStore",
           "StorageError", "Store", "TransportError", "UserError", "ValidationError", "correcting_events",
           "event_types", "field", "make_event", "reconcile_stock"]
