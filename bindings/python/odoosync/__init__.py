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
from ._odoosync import Channel, load_channels, map_amazon_order
from .domain import Domain, Field, field
from .errors import (AccessDenied, AccessError, AuthError, BackpressureError, CancelledError, ConflictError, Error,
                     HttpError, InvalidInput, MissingError, NotFoundError, OdooError, ProtocolError, StorageError,
                     TransportError, UserError, ValidationError)
from .events import Event, EventType, event_types, make_event
from .push import ChannelClient, Fulfilment, Level, OutboundPuller, Price, Pusher, channel_client
from .values import Money, Quantity

Client = _odoosync.Client
Engine = _odoosync.Engine
Store = _odoosync.Store
WebhookReceiver = _odoosync.WebhookReceiver
ShopifyEmulator = _odoosync.ShopifyEmulator
WooCommerceEmulator = _odoosync.WooCommerceEmulator
reconcile_stock = _odoosync.reconcile_stock
correcting_events = _odoosync.correcting_events

__version__ = "0.1.0"


class Config:
    """How to reach one Odoo database: Config(url, database=None, login=None, api_key=None, password=None,
    protocol="auto", timeout=120.0, verify_tls=True), or Config.from_env(). repr() never shows a secret.
    Config.client() (or Client.from_config(config)) makes the Client; the C++ core validates it."""

    _ENV = {"url": "ODOO_URL", "database": "ODOO_DB", "login": "ODOO_USER", "api_key": "ODOO_API_KEY",
            "password": "ODOO_PASSWORD", "protocol": "ODOO_PROTOCOL"}

    def __init__(self, url, database=None, login=None, api_key=None, password=None, protocol="auto", timeout=120.0,
                 verify_tls=True):
        self.url, self.database, self.login = url, database, login
        self.api_key, self.password = api_key, password
        self.protocol, self.timeout, self.verify_tls = protocol, timeout, verify_tls

    @classmethod
    def from_env(cls, **overrides):
        """From ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY, ODOO_PASSWORD, ODOO_PROTOCOL, ODOO_TIMEOUT_MS;
        keyword arguments override them."""
        values = {k: _os.environ.get(v) or None for k, v in cls._ENV.items()}
        if values["protocol"] is None:
            values["protocol"] = "auto"
        if _os.environ.get("ODOO_TIMEOUT_MS"):
            values["timeout"] = int(_os.environ["ODOO_TIMEOUT_MS"]) / 1000.0
        values.update(overrides)
        if not values.get("url"):
            raise InvalidInput("ODOO_URL / Config.url: not set", kind="validation", message="ODOO_URL / Config.url: not set")
        return cls(**values)

    def client(self):
        return Client(self.url, database=self.database, login=self.login, api_key=self.api_key,
                      password=self.password, protocol=self.protocol, timeout=self.timeout, verify_tls=self.verify_tls)

    def __repr__(self):
        secret = "api_key=***" if self.api_key else "password=***" if self.password else "no secret"
        return (f"Config(url={self.url!r}, database={self.database!r}, login={self.login!r}, {secret}, "
                f"protocol={self.protocol!r}, timeout={self.timeout!r}, verify_tls={self.verify_tls!r})")


Client.from_config = staticmethod(lambda config: config.client())


def doctor(config=None, *, event_types=(), channels=None, key_warning_days=14):
    """The checks of `odoosync doctor` (docs/operations.md): Odoo's version, the user's rights for the
    event types' effects (default: every built-in type), its API key's expiry, the clock skew (with a
    Config), and each channel's secrets (with a channels configuration file). Returns
    {"worst": "ok"|"warning"|"error", "findings": [{"check", "severity", "message"}]}; never raises for
    what it finds."""
    c = config
    return _odoosync._doctor(None if c is None else c.url, None if c is None else c.database,
                             None if c is None else c.login, None if c is None else c.api_key,
                             None if c is None else c.password, "auto" if c is None else c.protocol,
                             list(event_types), None if channels is None else _os.fspath(channels),
                             float(key_warning_days))


def SqliteStore(path):
    """The embedded store: one SQLite file (WAL, migrated on open). Created when missing."""
    return _odoosync._sqlite_store(_os.fspath(path))


def open_store(location, *, password_file=None, schema=None):
    """The store a location names: "postgresql://user@host:port/db" (or "postgres://") is a PostgreSQL store
    that many engine processes share (the password from $PGPASSWORD, $PGPASSFILE, ~/.pgpass or password_file;
    never printed), anything else the path of a SQLite file."""
    return _odoosync._open_store(_os.fspath(location), _os.fspath(password_file) if password_file else "",
                                 schema or "")


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


__all__ = ["AccessDenied", "AccessError", "AuthError", "BackpressureError", "CancelledError", "Channel",
           "ChannelClient", "Client", "Config", "ConflictError", "Domain", "Emulator", "Engine", "Error", "Event",
           "EventType", "Field", "Fulfilment", "HttpError", "InvalidInput", "Level", "MemoryStore", "MissingError",
           "Money", "NotFoundError", "OdooError", "OutboundPuller", "Price", "ProtocolError", "Pusher", "Quantity",
           "ShopifyEmulator", "SqliteStore", "StorageError", "Store", "TransportError", "UserError",
           "ValidationError", "WebhookReceiver", "WooCommerceEmulator", "channel_client", "correcting_events",
           "doctor", "event_types", "field", "load_channels", "make_event", "map_amazon_order", "open_store",
           "reconcile_stock"]
