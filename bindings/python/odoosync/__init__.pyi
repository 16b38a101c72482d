"""Type stubs for odoosync, the Python bindings of the odoosync C++ SDK.

odoosync keeps Odoo in sync for retail software: a typed Odoo client (JSON-RPC and JSON-2), canonical
retail events (CloudEvents 1.0) with exact money and quantities, an idempotent sync engine with durable
intake, stock reconciliation, and an in-process Odoo emulator for tests. docs/python.md has the guide.

Names starting with an underscore below exist only for type checkers (result shapes, iterator types);
import them under ``if TYPE_CHECKING:`` if you annotate with them.
"""

import os
from decimal import Decimal
from types import TracebackType
from typing import Any, Dict, Iterable, Iterator, List, Literal, Mapping, Optional, Sequence, Tuple, Type, TypedDict, Union

__version__: str

# ----------------------------------------------------------------------------------------------------
# JSON values and domains

_Json = Any
"""Any JSON value as Python: dict, list, str, int, float, bool or None. Odoo sends empty fields as False."""

_Condition = Union[Tuple[str, str, Any], List[Any]]
_DomainLike = Union["Domain", Sequence[Union[str, _Condition]], None]
"""What every ``domain=`` parameter takes: a Domain, Odoo's list form ([("name", "=", "x")], with "&", "|",
"!" in prefix notation, several conditions joined by an implicit &), or None for every record."""

_Kind = Literal["transport", "http", "protocol", "auth", "odoo", "not_found", "validation", "conflict", "storage",
                "cancelled", "backpressure"]

# ----------------------------------------------------------------------------------------------------
# errors


class Error(Exception):
    """Base of every error odoosync raises.

    str(error) is the one-line form "kind[/detail] [odoo class]: message (notes)", never with a secret."""

    kind: _Kind
    """transport | http | protocol | auth | odoo | not_found | validation | conflict | storage | cancelled | backpressure"""
    odoo_class: str
    """Odoo's exception class ("odoo.exceptions.ValidationError"), "" when Odoo did not name one."""
    message: str
    """The message alone, without kind and notes."""
    retryable: bool
    """The condition is transient: the same call may succeed later."""
    outcome_unknown: bool
    """The request left the process and no answer said what happened: a write may have been applied."""
    http_status: int
    """The HTTP status of the answer, 0 when there was none."""
    correlation_id: str
    """The request's correlation id (or the engine batch token), "" if none."""

    def __init__(self, text: str = ..., *, kind: str = ..., odoo_class: str = ..., message: str = ...,
                 retryable: bool = ..., outcome_unknown: bool = ..., http_status: int = ...,
                 correlation_id: str = ...) -> None: ...


class TransportError(Error):
    """kind "transport": DNS, connect, TLS, reset, timeout, circuit open; no complete answer came back."""


class HttpError(Error):
    """kind "http": 429/502/503/504 from Odoo or a proxy (retryable; Retry-After honoured by retries)."""


class ProtocolError(Error):
    """kind "protocol": an answer that is not what the protocol says (HTML 400 pages, malformed JSON)."""


class AuthError(Error):
    """kind "auth": bad credentials, expired session, revoked or expired API key (JSON-2 401)."""


class AccessDenied(AuthError):
    """An auth error whose Odoo class ends with AccessDenied (JSON-RPC login or execute_kw refused)."""


class OdooError(Error):
    """kind "odoo": an exception raised by Odoo; odoo_class names it (builtins.ValueError, ...)."""


class ValidationError(OdooError):
    """Odoo's ValidationError: a constraint or a required field; also load() refusing rows."""


class AccessError(OdooError):
    """Odoo's AccessError: access rights, or a private method called remotely."""


class MissingError(OdooError):
    """Odoo's MissingError: the record does not exist or has been deleted (kind "not_found")."""


class UserError(OdooError):
    """Odoo's UserError: a business rule (e.g. confirming an order twice); also Odoo 18's unknown model."""


class NotFoundError(Error):
    """kind "not_found" without an Odoo class above: unknown method or model, replay/discard of an event
    that is not dead."""


class InvalidInput(Error, ValueError):
    """kind "validation": bad input refused before anything was sent or stored (an invalid event, a bad
    domain, a Money with too many decimals). Also a ValueError."""


class ConflictError(Error):
    """kind "conflict": serialization failure or lock in Odoo, a lease held by another worker. Retryable."""


class StorageError(Error):
    """kind "storage": the local store or a file could not be used (unopenable SQLite file, missing snapshot)."""


class CancelledError(Error):
    """kind "cancelled": the call was cancelled."""


class BackpressureError(Error):
    """kind "backpressure": a lane holds more unsettled events than its high-water mark; nothing was stored.
    Retryable: submit again later."""


# ----------------------------------------------------------------------------------------------------
# domains


class Domain:
    """An Odoo domain in prefix notation. Build with field(...) and combine with & (and), | (or), ~ (not).

    Python binds & and | tighter than comparisons: parenthesise each condition,
    (field("sale_ok") == True) & (field("list_price") > 10)."""

    def __init__(self, items: Union["Domain", Sequence[Union[str, _Condition]], None] = None) -> None:
        """Domain() matches every record; Domain([("name", "=", "x")]) takes Odoo's list form. The shape is
        checked when a call encodes it (InvalidInput "domain element N: ...")."""
    def to_list(self) -> List[Any]:
        """Odoo's JSON form: ['&', ['a', '=', 1], ['b', '>', 2]]."""
    def __and__(self, other: _DomainLike) -> "Domain": ...
    def __or__(self, other: _DomainLike) -> "Domain": ...
    def __invert__(self) -> "Domain": ...
    def __bool__(self) -> bool: ...
    def __eq__(self, other: object) -> bool: ...


class Field:
    """A field path ("partner_id.country_id.code"); every operator gives a one-condition Domain."""

    name: str

    def __init__(self, name: str) -> None: ...
    def __eq__(self, value: Any) -> Domain: ...  # type: ignore[override]
    def __ne__(self, value: Any) -> Domain: ...  # type: ignore[override]
    def __lt__(self, value: Any) -> Domain: ...
    def __le__(self, value: Any) -> Domain: ...
    def __gt__(self, value: Any) -> Domain: ...
    def __ge__(self, value: Any) -> Domain: ...
    def in_(self, values: Iterable[Any]) -> Domain:
        """["f", "in", [...]]"""
    def not_in(self, values: Iterable[Any]) -> Domain:
        """["f", "not in", [...]]"""
    def like(self, pattern: str) -> Domain:
        """Case-sensitive substring: ["f", "like", p]."""
    def ilike(self, pattern: str) -> Domain:
        """Case-insensitive substring: ["f", "ilike", p]."""
    def not_like(self, pattern: str) -> Domain: ...
    def not_ilike(self, pattern: str) -> Domain: ...
    def eq_like(self, pattern: str) -> Domain:
        """The pattern as given, with % and _ wildcards: ["f", "=like", p]."""
    def eq_ilike(self, pattern: str) -> Domain:
        """["f", "=ilike", p]."""
    def child_of(self, record_id: int) -> Domain: ...
    def parent_of(self, record_id: int) -> Domain: ...


def field(name: str) -> Field:
    """field("name") == "x" -> Domain; see Field for every operator."""


# ----------------------------------------------------------------------------------------------------
# the client


class _Version(TypedDict):
    major: int
    minor: int
    text: str


class _PageIterator(Iterator[Dict[str, Any]]):
    """Client.iterate(): records in id order, one page in memory at a time (id > last, never an offset)."""

    def __iter__(self) -> "_PageIterator": ...
    def __next__(self) -> Dict[str, Any]: ...


class _ChangeIterator(Iterator[Dict[str, Any]]):
    """Client.changes(): records changed since a checkpoint, ordered by (write_date, id)."""

    checkpoint: str
    """Where the pages handed out so far end: "2026-11-22 22:31:54#36". After a whole page (and at the
    end) pass it as since= to resume exactly; it stays at since= while nothing was read."""

    def __iter__(self) -> "_ChangeIterator": ...
    def __next__(self) -> Dict[str, Any]: ...


class Config:
    """How to reach one Odoo database, as a value: Config(url, ...) with Client's parameters, or
    Config.from_env(**overrides). repr() never shows the API key or password."""

    url: str
    database: Optional[str]
    login: Optional[str]
    api_key: Optional[str]
    password: Optional[str]
    protocol: str
    timeout: float
    verify_tls: bool

    def __init__(self, url: str, database: Optional[str] = None, login: Optional[str] = None,
                 api_key: Optional[str] = None, password: Optional[str] = None,
                 protocol: Literal["auto", "jsonrpc", "json2"] = "auto", timeout: float = 120.0,
                 verify_tls: bool = True) -> None: ...
    @classmethod
    def from_env(cls, **overrides: Any) -> "Config":
        """From ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY, ODOO_PASSWORD, ODOO_PROTOCOL, ODOO_TIMEOUT_MS;
        keyword arguments override them. InvalidInput when no URL is set."""
    def client(self) -> "Client":
        """The Client for this configuration."""


class Client:
    """A client of one Odoo database: JSON-RPC (Odoo <= 19) or JSON-2 (Odoo >= 19 with an API key), chosen
    from the server's version. Safe to share between threads; the GIL is released while a call waits on
    the network. Results are plain Python dicts and lists; errors raise odoosync.Error subclasses."""

    def __init__(self, url: str, database: Optional[str] = None, login: Optional[str] = None,
                 api_key: Optional[str] = None, password: Optional[str] = None,
                 protocol: Literal["auto", "jsonrpc", "json2"] = "auto", timeout: float = 120.0,
                 verify_tls: bool = True) -> None:
        """An API key is preferred; with a password the client logs in once and keeps the session.
        Nothing is sent until the first call. timeout is in seconds."""
    @staticmethod
    def from_env() -> "Client":
        """From ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY or ODOO_PASSWORD, ODOO_PROTOCOL, ODOO_TIMEOUT_MS."""
    @staticmethod
    def from_config(config: Config) -> "Client":
        """Client.from_config(cfg) is cfg.client()."""
    def version(self) -> _Version:
        """{"major": 18, "minor": 0, "text": "18.0"}; asked once, then cached."""
    def protocol(self) -> Literal["jsonrpc", "json2"]:
        """What this client speaks to the server."""
    def call(self, model: str, method: str, args: Optional[Sequence[Any]] = None,
             kwargs: Optional[Mapping[str, Any]] = None) -> _Json:
        """Any method: positional args as a list, named ones as a dict. None for methods returning None."""
    def search(self, model: str, domain: _DomainLike = None, offset: int = 0, limit: Optional[int] = None,
               order: Optional[str] = None) -> List[int]:
        """Ids of the matching records."""
    def search_read(self, model: str, domain: _DomainLike = None, fields: Optional[Sequence[str]] = None,
                    offset: int = 0, limit: Optional[int] = None, order: Optional[str] = None) -> List[Dict[str, Any]]:
        """Matching records as dicts (with "id"); many2one fields as [id, name], empty fields as False."""
    def read(self, model: str, ids: Sequence[int], fields: Optional[Sequence[str]] = None) -> List[Dict[str, Any]]:
        """Records by id; ids that do not exist are dropped."""
    def search_count(self, model: str, domain: _DomainLike = None) -> int: ...
    def create(self, model: str, values: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> Any:
        """int for a dict of values; list[int] (in order, one call) for a list of dicts. Decimal values allowed."""
    def write(self, model: str, ids: Sequence[int], values: Mapping[str, Any]) -> None:
        """Empty ids are refused locally (InvalidInput); a deleted record raises MissingError."""
    def unlink(self, model: str, ids: Sequence[int]) -> None: ...
    def name_search(self, model: str, name: str = "", domain: _DomainLike = None,
                    limit: int = 100) -> List[Tuple[int, str]]:
        """[(id, display name), ...]"""
    def read_group(self, model: str, domain: _DomainLike, fields: Sequence[str], groupby: Sequence[str],
                   lazy: bool = True) -> List[Dict[str, Any]]:
        """Odoo 18's read_group shape: one dict per group, e.g. fields=["quantity:sum"], groupby=["location_id"]."""
    def fields_get(self, model: str, attributes: Optional[Sequence[str]] = None) -> Dict[str, Dict[str, Any]]: ...
    def load(self, model: str, fields: Sequence[str], rows: Sequence[Sequence[str]]) -> List[int]:
        """Import with external ids (an "id" column): all rows or none. A bad row raises an error naming
        the row (0-based) and the field: "load into product.product wrote nothing: row 1 field 'list_price': ..."."""
    def iterate(self, model: str, domain: _DomainLike = None, fields: Optional[Sequence[str]] = None,
                page_size: int = 500) -> _PageIterator:
        """Every matching record in id order, a page at a time (bounded memory)."""
    def changes(self, model: str, domain: _DomainLike = None, fields: Optional[Sequence[str]] = None,
                since: str = "", page_size: int = 500) -> _ChangeIterator:
        """Records changed since the checkpoint since= ("" = from the beginning), by (write_date, id);
        read .checkpoint after a page to resume later."""


# ----------------------------------------------------------------------------------------------------
# exact values

_DecimalLike = Union[Decimal, str, int]


class Money:
    """An amount in an ISO 4217 currency, held exactly in minor units (never a float).

    Money(Decimal("12.50"), "EUR"), Money("12.5", "EUR"), Money(1200, "JPY"). More decimals than the
    currency has (EUR 2, JPY 0, KWD 3) or an unknown currency raise InvalidInput; a float raises TypeError."""

    def __init__(self, amount: _DecimalLike, currency: str) -> None: ...
    @property
    def amount(self) -> Decimal:
        """Decimal("12.50")"""
    @property
    def currency(self) -> str: ...
    @property
    def minor_units(self) -> int:
        """1250 for 12.50 EUR"""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __str__(self) -> str:
        """ "12.50 EUR" """


class Quantity:
    """A quantity and its unit of measure, exact to 6 decimals (magnitude below 10^12)."""

    def __init__(self, value: _DecimalLike, uom: str = "Units") -> None: ...
    @property
    def value(self) -> Decimal: ...
    @property
    def uom(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...


# ----------------------------------------------------------------------------------------------------
# events

_EventType = Literal[
    "retail.product.upserted", "retail.price.changed", "retail.stock.adjusted", "retail.stock.reserved",
    "retail.stock.released", "retail.goods.received", "retail.transfer.completed", "retail.order.created",
    "retail.order.cancelled", "retail.payment.captured", "retail.refund.approved", "retail.shipment.dispatched",
    "retail.shipment.tracked", "retail.invoice.posted", "retail.customer.upserted"]


class Event:
    """A validated retail event in the CloudEvents 1.0 envelope (docs/events.md). Immutable."""

    @property
    def id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def subject(self) -> str:
        """The ordering key derived from data: "sku/SKU-1@WH/Stock", "order/SO-1", "product/SKU-1", ..."""
    @property
    def time(self) -> str:
        """RFC 3339 in UTC with Z: "2026-12-01T10:15:00Z"."""
    @property
    def sequence(self) -> Optional[int]: ...
    @property
    def traceparent(self) -> Optional[str]: ...
    @staticmethod
    def decode(json_text: str) -> "Event":
        """Decode and validate; InvalidInput's message is "<JSON pointer>: <what>", e.g.
        '/data/delta/value: must be a decimal string such as "12.50"'."""
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "Event":
        """From a CloudEvents dict (Money, Quantity, Decimal allowed in it), validated like decode()."""
    def to_json(self) -> str:
        """The canonical JSON text (a fixed point of decode/to_json)."""
    def to_dict(self) -> Dict[str, Any]:
        """The canonical form as Python data (amounts and quantities as decimal strings)."""
    def __eq__(self, other: object) -> bool: ...


def make_event(type: str, data: Mapping[str, Any], source: str, id: str, time: Optional[str] = None,
               sequence: Optional[int] = None, traceparent: Optional[str] = None) -> Event:
    """A validated event. data may hold Money ({"amount", "currency"}), Quantity ({"value", "uom"}) and
    Decimal (a decimal string) anywhere; never float. time: RFC 3339 text or an aware datetime, default now."""


def event_types() -> List[str]:
    """The 15 event types this build reads and writes."""


# ----------------------------------------------------------------------------------------------------
# stores and the sync engine


class Store:
    """Where the engine keeps events, batches, audit and checkpoints: SqliteStore(path) or MemoryStore()."""


def SqliteStore(path: Union[str, "os.PathLike[str]"]) -> Store:
    """One SQLite file (WAL, migrated on open), created when missing. StorageError if it cannot be opened."""


def open_store(location: Union[str, "os.PathLike[str]"], *, password_file: Optional[Union[str, "os.PathLike[str]"]] = None,
               schema: Optional[str] = None) -> Store:
    """postgresql://user@host:port/db (or postgres://): a PostgreSQL store many engine processes share (its
    engines lease batches and let the leases of dead workers expire); anything else: a SQLite file."""


def MemoryStore() -> Store:
    """A store in memory, for tests: its queue ends with the process."""


class _LaneStatus(TypedDict):
    pending: int
    in_flight: int
    applied: int
    dead: int
    discarded: int
    open_batches: int
    oldest_pending_ms: Optional[int]
    """Age of the oldest pending event in milliseconds; None when nothing is pending."""


class _Status(TypedDict):
    realtime: _LaneStatus
    bulk: _LaneStatus


class _RunSummary(TypedDict):
    idle: bool
    batches: int
    applied: int
    retried: int
    dead_lettered: int


class _DeadLetter(TypedDict):
    source: str
    id: str
    type: str
    subject: str
    attempts: int
    error: str
    body: str
    """The event's JSON text as stored."""


class _StoredEvent(_DeadLetter):
    status: Literal["pending", "in_flight", "applied", "dead", "discarded"]


class _AuditRow(TypedDict):
    at_ms: int
    source: str
    id: str
    subject: str
    action: str
    """submitted, claimed, resumed, applied, retry, split, dead, replayed, discarded"""
    attempt: int
    batch: int
    error: str
    correlation_id: str
    trace_id: str
    """the event's own trace id (from its traceparent), "" without one"""
    rpc_id: str
    """applied, retry, split, dead: the correlation id (X-Correlation-Id) of the RPC that decided it"""
    rpc_trace_id: str
    """the trace that RPC was sent in"""
    rpc_span_id: str
    """that RPC's own span: the parent id of the traceparent it carried"""


class _TypeCounters(TypedDict):
    submitted: int
    duplicates: int
    applied: int
    retried: int
    dead_lettered: int


class _LaneMetrics(TypedDict):
    by_type: Dict[str, _TypeCounters]
    queue_depth: int
    dead: int
    oldest_pending_age_s: float
    batches: int
    batch_events: int
    max_batch: int
    backpressured: int


class _Lanes(TypedDict):
    realtime: _LaneMetrics
    bulk: _LaneMetrics


class _Metrics(TypedDict):
    lanes: _Lanes
    rejected: Dict[str, int]
    """Invalid events refused by submit, by type ("unknown" when the type could not be read)."""
    rpc_count: int
    rpc_seconds_sum: float
    rpc_seconds_max: float
    probes: int
    splits: int
    breaker: Literal["closed", "open", "half_open"]
    breaker_opened: int


_Submittable = Union[Event, str, Mapping[str, Any]]


class EventType:
    """A host's own event type (see odoosync.events.EventType): type, lane, subject(data),
    effect(events, token) returning an object with probe(client) and apply(client, state), optional
    batch_key(event) and, on the effect, plan(client)."""
    type: Optional[str]
    lane: Literal["realtime", "bulk"]
    def subject(self, data: Dict[str, Any]) -> str: ...
    def effect(self, events: List[Dict[str, Any]], token: str) -> Any: ...

class Engine:
    """The sync engine: submit() makes an event durable once per (source, id); run_until_idle() or
    start()/stop() apply each event's effect to Odoo exactly once, in order per subject. Thread-safe;
    storage and network work release the GIL."""

    def __init__(self, store: Store, client: Optional[Client] = None, *, realtime_batch_size: int = 100,
                 bulk_batch_size: int = 200, realtime_workers: int = 2, bulk_workers: int = 1,
                 max_attempts: int = 10, initial_backoff: float = 0.25, max_backoff: float = 60.0,
                 breaker_threshold: int = 5, breaker_cool_down: float = 5.0, high_water: int = 1_000_000,
                 unknown_outcome_grace: float = 30.0, event_types: Optional[Iterable[EventType]] = None,
                 type_lanes: Optional[Dict[str, Literal["realtime", "bulk"]]] = None, lease: float = 60.0) -> None:
        """client=None: intake only (submit, status, dead letters, audit, metrics); run/start raise InvalidInput.
        Times are in seconds; high_water is per lane. event_types: the host's own types, added to the 15
        built-in ones; type_lanes: the lane of any registered type (built-in ones too). lease: seconds a claimed
        batch stays leased without a heartbeat (on a shared PostgreSQL store, a worker that stalls longer loses it)."""
    def submit(self, event: _Submittable) -> Literal["accepted", "duplicate"]:
        """Durable when it returns. Invalid: InvalidInput, nothing stored. Above high_water: BackpressureError."""
    def submit_many(self, events: Iterable[_Submittable]) -> List[Literal["accepted", "duplicate"]]:
        """One transaction: all stored, or none."""
    def run_until_idle(self, max_time: Optional[float] = None) -> _RunSummary:
        """Send until nothing is left but dead letters, or max_time seconds passed (idle False)."""
    def start(self) -> None:
        """Background workers, until stop()."""
    def stop(self, deadline: float = 10.0) -> bool:
        """Stop claiming, wait for batches being sent; True when every worker finished in time."""
    def status(self) -> _Status: ...
    def dead_letters(self, limit: int = 100) -> List[_DeadLetter]: ...
    def get(self, source: str, id: str) -> Optional[_StoredEvent]: ...
    def replay(self, source: str, id: str) -> None:
        """Re-queue a dead event after fixing its cause; NotFoundError if it is not dead."""
    def discard(self, source: str, id: str, reason: str) -> None:
        """Drop a dead event for good, with a reason; NotFoundError if it is not dead."""
    def audit(self, id: Optional[str] = None, source: Optional[str] = None, subject: Optional[str] = None,
              correlation_id: Optional[str] = None, limit: int = 1000,
              trace: Optional[str] = None) -> List[_AuditRow]:
        """Every state change, by event (id, optionally source), subject, correlation id or trace (a trace
        id or a whole traceparent: the events of that trace and those its RPCs carried); InvalidInput for
        a malformed trace."""
    def metrics(self) -> _Metrics: ...
    def prometheus(self) -> str:
        """The metrics as Prometheus text (odoosync_events_applied_total{lane,type}, odoosync_queue_depth, ...)."""
    @property
    def breaker_state(self) -> Literal["closed", "open", "half_open"]: ...


# ----------------------------------------------------------------------------------------------------
# reconciliation


class _DriftRow(TypedDict):
    sku: str
    location: str
    channel: Decimal
    odoo: Decimal
    drift: Decimal
    """channel - odoo"""
    unknown_in_odoo: bool


class _ReconcileReport(TypedDict):
    compared: int
    matching: int
    drift: List[_DriftRow]


_SnapshotRow = Tuple[str, str, _DecimalLike]


def reconcile_stock(client: Client, snapshot: Union[str, "os.PathLike[str]", Sequence[_SnapshotRow]],
                    page_size: int = 500) -> _ReconcileReport:
    """Compare a stock snapshot (a .csv with header sku,location,quantity[,uom], a .jsonl/.ndjson file, or
    a list of (sku, location, quantity)) with Odoo's quants at exactly those internal locations.
    compared == matching + len(drift). Bad snapshots raise InvalidInput naming line and column."""


def correcting_events(report: _ReconcileReport, source: str, time: Optional[str] = None) -> List[Event]:
    """One retail.stock.adjusted count per drift row Odoo knows (unknown_in_odoo rows are left out);
    the same report, source and time give the same ids, so a second submission is a duplicate."""


# ----------------------------------------------------------------------------------------------------
# the emulator


class Emulator:
    """The odoosync Odoo emulator in this process on 127.0.0.1 (a free port), for your own tests.

        with odoosync.Emulator(odoo_version=18, products=100) as odoo:
            c = odoo.client()
            odoo.inject({"kind": "http_503", "times": 1})
    """

    def __init__(self, odoo_version: Literal[17, 18, 19] = 18, products: int = 0, keep_alive: bool = False,
                 fixture: Union[str, "os.PathLike[str]", None] = None, seed: int = 1) -> None:
        """products adds EMU-00001..; fixture is a JSON file {"model": [records]} applied over the seed;
        seed drives faults given a probability."""
    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
    @property
    def database(self) -> str:
        """retail18 (17 and 18 modes) or retail19"""
    @property
    def login(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def password(self) -> str: ...
    def client(self, **kwargs: Any) -> Client:
        """A Client of this emulator (API key login); kwargs go to Client (timeout=..., protocol=...)."""
    def inject(self, fault: Union[Mapping[str, Any], str]) -> None:
        """A fault (docs/emulator.md): {"kind": K, "model": M, "method": F, "times": N, "latency_ms": L,
        "retry_after_s": S, "probability": P}; kinds latency, http_502/503/504, http_429, reset_before,
        reset_after, serialization_failure, session_expired, key_expired, down. times 0 = until cleared."""
    def clear_faults(self) -> None: ...
    def stop(self) -> None:
        """Stop listening; idempotent."""
    def __enter__(self) -> "Emulator": ...
    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> bool: ...


# --- inbound channels (docs/channels.md) ---

_Headers = Union[Mapping[str, str], Sequence[Tuple[str, str]]]


class _Verification(TypedDict):
    delivery_id: str
    ping: bool


class _Received(TypedDict):
    events: List[Event]
    note: str
    odoo_records: List[Tuple[str, int]]


class Channel:
    """One configured inbound channel: verify() checks a delivery's signature over its raw bytes,
    receive() verifies and maps it to canonical events (what `odoosync serve` stores)."""
    @property
    def name(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def source(self) -> str: ...
    def verify(self, body: bytes, headers: _Headers, url: str = "", received_at: Optional[float] = None) -> _Verification: ...
    def receive(self, body: bytes, headers: _Headers, url: str = "", received_at: Optional[float] = None) -> _Received: ...
    @staticmethod
    def from_config(json_text: str, base_dir: str = ".") -> List["Channel"]: ...


def load_channels(path: Union[str, "os.PathLike[str]"]) -> List[Channel]: ...
def map_amazon_order(get_order: str, get_order_items: str, channel: Channel) -> Event: ...


class WebhookReceiver:
    """The webhook receiver of `odoosync serve` (docs/channels.md): verifies each delivery with its
    channel's adapter, takes its events in through the engine and answers 200 only once they are durable
    (401 for a failed proof of origin, 400 for an unusable delivery, 404, 405, 413, 503 with Retry-After).
    Mount handle() in your own HTTP server, or run the built-in one with listen()."""

    def __init__(self, engine: Engine, config: Union[str, "os.PathLike[str]"]) -> None:
        """config: serve's configuration file (its "channels" object and serve's keys); secrets from the
        files and environment variables it names."""
    def handle(self, method: str, target: str,
               headers: Union[Mapping[str, str], Sequence[Tuple[str, str]], None] = None, body: bytes = b"",
               url: Optional[str] = None) -> Tuple[int, List[Tuple[str, str]], bytes]:
        """One request: (status, headers, body) to send back. target is the path and query as requested;
        url the full URL the provider posted to (default http://<Host><target>)."""
    def listen(self, address: str = "127.0.0.1:0", threads: Optional[int] = None) -> str:
        """The built-in HTTP server on its own threads; returns "host:port" (port 0 picks a free one)."""
    def stop(self, deadline: float = 30.0) -> bool:
        """Graceful stop: no new connection, requests in flight answered; True when all finished in time."""
    @property
    def address(self) -> Optional[str]: ...
    @property
    def channels(self) -> List[str]: ...
    def metrics(self) -> Dict[str, Dict[str, float]]:
        """Per channel: a count per outcome (accepted, duplicate, ignored, unauthorized, invalid, too_large,
        backpressure, unavailable, failed), events, duplicates, odoo_records, seconds_sum, count."""
    def prometheus(self) -> str:
        """What GET /metrics answers: the receiver's series, then the engine's."""


class _Finding(TypedDict):
    check: str
    severity: Literal["ok", "warning", "error"]
    message: str


class _DoctorReport(TypedDict):
    worst: Literal["ok", "warning", "error"]
    findings: List[_Finding]


def doctor(config: Optional[Config] = None, *, event_types: Sequence[str] = (),
           channels: Optional[Union[str, "os.PathLike[str]"]] = None, key_warning_days: float = 14) -> _DoctorReport: ...


# ----------------------------------------------------------------------------------------------------
# pushing to channels (docs/push.md; docs/python.md "Pushing to channels")

_PushKind = Literal["stock", "price", "prices", "fulfilment", "fulfilments"]
_Outcome = Literal["applied", "stale", "not_listed", "retry", "rejected"]


class _ItemResult(TypedDict):
    outcome: _Outcome
    """applied: the channel holds the value; stale: compare-and-set refused (channel_quantity says what the
    channel holds); not_listed: no such item, location or order; retry: a transient failure of this item;
    rejected: refused for good (a dead letter in a Pusher)."""
    channel_quantity: Optional[int]
    message: str
    """why, in the channel's words ("" when applied)"""


class _ChannelLimits(TypedDict):
    max_levels_per_call: int
    max_prices_per_call: int
    sustained_rate: float
    unit: Literal["requests", "cost points"]
    max_wait: float
    """seconds one call may wait for the provider's throttle before BackpressureError"""


class Level:
    """Set the channel's sellable quantity of one item at one of its locations. location: the channel's
    location id (Shopify's gid://shopify/Location/<id> or the number), "" for one stock per item
    (WooCommerce, Amazon). expected: what the channel should hold now (compare-and-set); None: set
    without comparing. as_of: RFC 3339 text or an aware datetime (default now). key: an idempotency key."""

    sku: str
    quantity: int
    location: str
    expected: Optional[int]
    as_of: Any
    key: str

    def __init__(self, sku: str, quantity: int, location: str = "", *, expected: Optional[int] = None,
                 as_of: Any = None, key: str = "") -> None: ...


class Price:
    """Set an item's selling price: Price(sku, Money(...)) or Price(sku, Decimal("12.50"), "EUR"). Never a
    float. A currency other than the channel's is answered "rejected"."""

    sku: str
    price: Money
    key: str

    def __init__(self, sku: str, price: Union[Money, _DecimalLike], currency: Optional[str] = None, *,
                 key: str = "") -> None: ...


class Fulfilment:
    """The warehouse shipped (part of) a channel's order: order_id the channel's own id, shipment Odoo's
    picking name (one fulfilment per shipment), lines [(sku, quantity)] (empty: all not fulfilled yet)."""

    order_id: str
    shipment: str
    lines: List[Tuple[str, int]]
    carrier: str
    tracking_number: str
    tracking_url: str
    notify_customer: bool
    key: str

    def __init__(self, order_id: str, shipment: str, lines: Iterable[Tuple[str, int]] = (), *, carrier: str = "",
                 tracking_number: str = "", tracking_url: str = "", notify_customer: bool = True,
                 key: str = "") -> None: ...


_LevelLike = Union[Level, Mapping[str, Any]]
_PriceLike = Union[Price, Mapping[str, Any]]
_FulfilmentLike = Union[Fulfilment, Mapping[str, Any]]
_SecretSpec = Union[str, Any]
"""A source ("env:NAME", "file:PATH", "cmd:PROGRAM ARGS") or a callable returning the secret as a str."""


class ChannelClient:
    """One channel's API (Shopify Admin GraphQL, WooCommerce REST, Square, Amazon SP-API). One result per
    item, in order; a whole-call failure raises (AuthError, BackpressureError, TransportError, HttpError,
    ProtocolError) with a message naming the channel. Calls release the GIL and are serialised per client."""

    @property
    def channel(self) -> str: ...
    @property
    def provider(self) -> Literal["shopify", "woocommerce", "square", "amazon"]: ...
    def limits(self) -> _ChannelLimits: ...
    def set_levels(self, levels: Iterable[_LevelLike]) -> List[_ItemResult]: ...
    def set_prices(self, prices: Iterable[_PriceLike]) -> List[_ItemResult]: ...
    def fulfil(self, fulfilments: Iterable[_FulfilmentLike]) -> List[_ItemResult]: ...
    def read_level(self, sku: str, location: str = "") -> Optional[int]:
        """What the channel holds now; None when it does not list the SKU there."""


def channel_client(provider: Literal["shopify", "woocommerce", "square", "amazon"], url: str,
                   settings: Optional[Mapping[str, Union[str, int, float, bool]]] = None,
                   secrets: Optional[Mapping[str, _SecretSpec]] = None, *, channel: str = "python",
                   timeout: Optional[float] = None) -> ChannelClient:
    """The provider's client (docs/push/<provider>.md lists its settings and secrets). InvalidInput names
    the channel and the missing, unknown or malformed setting or secret."""


class _PushCounts(TypedDict):
    applied: int
    unchanged: int
    """the desired value was pushed already: nothing sent"""
    stale: int
    not_listed: int
    retried: int
    dead: int
    lost: int
    """another worker took the lease over"""
    calls: int


class _PushSummary(TypedDict):
    rounds: int
    counts: _PushCounts
    pending: int
    """left waiting for a retry"""
    dead: int
    """dead letters of this kind in the outbox"""
    last_error: str


class _PushRound(TypedDict):
    claimed: int
    counts: _PushCounts
    retry_after: Optional[float]
    error: str


class _PullStats(TypedDict):
    events: int
    pages: int
    records: int
    skipped_no_sku: int
    skipped_no_order: int
    skipped_negative: int
    skipped_invalid: int
    problems: List[str]


class _OutboxItem(TypedDict):
    kind: Literal["stock", "price", "fulfilment"]
    key: str
    """"SKU@<channel location>" (stock), the SKU (price), the picking's name (fulfilment)"""
    status: Literal["pending", "pushed", "not_listed", "dead"]
    parts: Dict[str, str]
    pushed: Optional[str]
    channel_value: Optional[str]
    attempts: int
    error: str
    changed_ms: int
    updated_ms: int


class _OutboxKindStatus(TypedDict):
    pending: int
    not_listed: int
    dead: int
    oldest_pending_ms: Optional[int]


class Pusher:
    """The durable push of one channel: pull() reads Odoo's changes into the channel's outbox in the store,
    run() sends them within the provider's limits (compare-and-set for stock, retries, per-item dead
    letters). Calls release the GIL and are serialised per Pusher."""

    def __init__(self, store: Store, client: ChannelClient, channel: str, *,
                 stock_locations: Optional[Mapping[str, Union[str, Sequence[str]]]] = None, safety_stock: int = 0,
                 safety_stock_by_sku: Optional[Mapping[str, int]] = None, order_origin: Optional[str] = None,
                 max_attempts: int = 10, backoff_base: float = 1.0, backoff_max: float = 300.0,
                 stale_resends: int = 3, lease: float = 120.0, max_fulfilments_per_call: int = 1,
                 seed: int = 0) -> None: ...
    @classmethod
    def from_config(cls, store: Store, config: Union[str, "os.PathLike[str]"], channel: str, *,
                    max_attempts: int = 10, backoff_base: float = 1.0, backoff_max: float = 300.0,
                    stale_resends: int = 3, lease: float = 120.0, max_fulfilments_per_call: int = 1,
                    seed: int = 0) -> "Pusher":
        """From the channel's "push" block of a configuration file (docs/push.md)."""
    @property
    def channel(self) -> str: ...
    @property
    def client(self) -> ChannelClient: ...
    @property
    def order_origin(self) -> Optional[str]: ...
    def accept(self, events: Iterable[_Submittable]) -> None:
        """Outbox intake (an EventSink): stock counts, list prices, done deliveries; durable when it returns."""
    def pull(self, odoo: Client, kind: _PushKind, *, settle: Optional[float] = 5.0,
             page_size: int = 200) -> _PullStats:
        """Odoo's changes since the channel's checkpoint into the outbox."""
    def push_once(self, kind: _PushKind) -> _PushRound: ...
    def run(self, kind: _PushKind, wait_for_retries: float = 0.0) -> _PushSummary:
        """Rounds until nothing is due (and nothing in backoff due within wait_for_retries seconds).
        AuthError is raised; other failures are recorded on the items and reported."""
    def dead_letters(self, kind: Optional[_PushKind] = None, limit: int = 100) -> List[_OutboxItem]: ...
    def replay(self, kind: _PushKind, key: str) -> None:
        """Push a dead letter again; NotFoundError if it is not one."""
    def status(self) -> Dict[str, _OutboxKindStatus]: ...


_Feed = Literal["stock_levels", "prices", "order_states", "fulfilments"]


class OutboundPuller:
    """Odoo's changes pulled incrementally (by write_date, id, from a checkpoint in the store) and handed to
    sinks as Events; the checkpoint moves only after every sink of the feed accepted the page."""

    def __init__(self, store: Store, client: Client, *, page_size: int = 200, source: str = "odoo",
                 settle: Optional[float] = 5.0, checkpoint_prefix: str = "outbound/",
                 order_origin: Optional[str] = None) -> None: ...
    def add_sink(self, feed: _Feed, sink: Any) -> None:
        """A Pusher, or any object with accept(events: List[Event]) (an exception fails the pull)."""
    def pull(self, feed: _Feed) -> int:
        """Events handed over; InvalidInput when the feed has no sink."""
    def last_stats(self, feed: _Feed) -> _PullStats: ...


class _VariantIds(TypedDict):
    product: int
    variant: int
    inventory_item: int


class _ShopifyFulfillment(TypedDict):
    id: int
    company: str
    number: str
    url: str
    notify_customer: bool
    lines: List[Tuple[str, int]]


class ShopifyEmulator:
    """A loopback fake of one Shopify shop's Admin GraphQL API for push tests (docs/push/shopify.md)."""

    def __init__(self, *, access_token: str = "shpat_emulator", currency: str = "EUR",
                 maximum_available: float = 1000.0, restore_rate: float = 100.0,
                 max_query_cost: float = 1000.0) -> None: ...
    @property
    def url(self) -> str: ...
    def add_location(self, name: str) -> int: ...
    def add_variant(self, sku: str, price: _DecimalLike, product_key: str = "") -> _VariantIds: ...
    def set_available(self, sku: str, location: int, available: int) -> bool: ...
    def available(self, sku: str, location: int) -> Optional[int]: ...
    def sell(self, sku: str, location: int, quantity: int) -> bool: ...
    def price(self, sku: str) -> Optional[Decimal]: ...
    def add_order(self, lines: Sequence[Tuple[str, int]]) -> int: ...
    def fulfillments(self, order: int) -> List[_ShopifyFulfillment]: ...
    def set_access_token(self, token: str) -> None: ...
    def inject(self, kind: Literal["http_error", "throttled", "reset", "reset_after_apply", "user_error",
                                   "unauthorized"], *, times: int = 1, status: int = 503, sku: str = "",
               operation: str = "") -> None: ...
    def stats(self) -> Dict[str, Any]: ...
    def stop(self) -> None: ...
    def __enter__(self) -> "ShopifyEmulator": ...
    def __exit__(self, *exc: Any) -> bool: ...


class _OrderNote(TypedDict):
    note: str
    customer_note: bool


class WooCommerceEmulator:
    """A loopback fake of the WooCommerce REST API v3 for push tests (docs/push/woocommerce.md); its client
    needs settings={"allow_insecure_loopback": True}."""

    def __init__(self, *, consumer_key: str = "ck_emulator", consumer_secret: str = "cs_emulator",
                 currency: str = "EUR", requests_per_second: float = 0.0, burst: float = 1.0) -> None: ...
    @property
    def url(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    def seed_product(self, sku: str, stock: Optional[int], price: _DecimalLike) -> int: ...
    def seed_order(self, status: str = "processing") -> int: ...
    def simulate_sale(self, sku: str, quantity: int) -> bool: ...
    def stock(self, sku: str) -> Optional[int]: ...
    def regular_price(self, sku: str) -> Optional[Decimal]: ...
    def order_status(self, order: int) -> Optional[str]: ...
    def order_notes(self, order: int) -> List[_OrderNote]: ...
    def inject(self, kind: Literal["status", "too_many_requests", "reset", "item_error"], *, times: int = 1,
               status: int = 503, retry_after: float = 1.0, sku: str = "",
               code: str = "woocommerce_rest_invalid_stock", item_status: int = 400,
               path_contains: str = "") -> None: ...
    @property
    def requests(self) -> int: ...
    @property
    def refused_429(self) -> int: ...
    def stop(self) -> None: ...
    def __enter__(self) -> "WooCommerceEmulator": ...
    def __exit__(self, *exc: Any) -> bool: ...
