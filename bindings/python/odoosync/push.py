"""Pushing to channels (docs/push.md): Odoo's stock levels, list prices and done deliveries sent to
Shopify, WooCommerce, Square and Amazon.

Two ways in:

- ``Pusher``: the durable push of one channel. ``pull(odoo, "stock")`` reads what changed in Odoo into
  the channel's outbox in the store, ``run("stock")`` sends it in batches within the provider's limits,
  with compare-and-set for stock (a sale made in the shop meanwhile is kept), retries, per-item dead
  letters and ``replay``. ``Pusher.from_config(store, "channels.json", "shop-eu")`` builds everything
  from the channel's ``"push"`` block.
- ``channel_client(provider, url, settings, secrets)``: the provider's client alone, for a host that
  decides itself what to send: ``set_levels``, ``set_prices``, ``fulfil``, ``read_level``.

Money is never a float: prices are ``Money`` (or a Decimal, str or int with a currency)."""

from __future__ import annotations

import os as _os

from . import _odoosync
from .values import Money, _decimal_text

_KINDS = ("stock", "price", "prices", "fulfilment", "fulfilments")


def _get(item, name, default=None):
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def _require(item, name, what):
    v = _get(item, name)
    if v is None:
        raise TypeError(f"odoosync.{what}: '{name}' is required")
    return v


def _int(v, what, name):
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"odoosync.{what}: {name} must be an int, got {type(v).__name__}")
    return v


def _str(v, what, name):
    if not isinstance(v, str):
        raise TypeError(f"odoosync.{what}: {name} must be a str, got {type(v).__name__}")
    return v


def _time_text(v):
    if v is None or isinstance(v, str):
        return v
    # an aware datetime
    if getattr(v, "tzinfo", None) is None:
        raise ValueError("odoosync.Level: as_of must be RFC 3339 text or an aware datetime")
    import datetime
    return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


class Level:
    """Set the channel's sellable quantity of one item (by SKU) at one of its locations.

    location: the channel's location id (Shopify's gid://shopify/Location/<id> or the number, Square's
    location_id); "" where the channel has one stock per item (WooCommerce, Amazon). expected: the
    quantity the channel should hold now (what you last set): the client uses the provider's
    compare-and-set and answers "stale" with the channel's quantity when it differs; None: set without
    comparing. as_of: when the level was true (RFC 3339 text or an aware datetime; default now). key: an
    idempotency key, the same across retries of one change."""

    __slots__ = ("sku", "location", "quantity", "expected", "as_of", "key")

    def __init__(self, sku, quantity, location="", *, expected=None, as_of=None, key=""):
        self.sku, self.location, self.quantity = sku, location, quantity
        self.expected, self.as_of, self.key = expected, as_of, key

    def __repr__(self):
        return (f"Level({self.sku!r}, {self.quantity!r}, {self.location!r}, expected={self.expected!r}, "
                f"key={self.key!r})")


class Price:
    """Set an item's selling price: Price("SKU-1", Money("12.50", "EUR")) or Price("SKU-1", Decimal("12.50"),
    "EUR"). A price in another currency than the channel's is answered "rejected"."""

    __slots__ = ("sku", "price", "key")

    def __init__(self, sku, price, currency=None, *, key=""):
        if not isinstance(price, Money):
            if currency is None:
                raise TypeError("odoosync.Price: give a Money, or an amount and its currency")
            price = Money(price, currency)
        elif currency is not None and currency != price.currency:
            raise ValueError(f"odoosync.Price: {price} is not in {currency}")
        self.sku, self.price, self.key = sku, price, key

    def __repr__(self):
        return f"Price({self.sku!r}, {self.price!r}, key={self.key!r})"


class Fulfilment:
    """The warehouse shipped (part of) a channel's order: order_id is the channel's own order id, shipment
    Odoo's picking name (one fulfilment per shipment, ever), lines [(sku, quantity)] (empty: everything
    not fulfilled yet), carrier, tracking_number, tracking_url, notify_customer."""

    __slots__ = ("order_id", "shipment", "lines", "carrier", "tracking_number", "tracking_url", "notify_customer",
                 "key")

    def __init__(self, order_id, shipment, lines=(), *, carrier="", tracking_number="", tracking_url="",
                 notify_customer=True, key=""):
        self.order_id, self.shipment, self.lines = order_id, shipment, list(lines)
        self.carrier, self.tracking_number, self.tracking_url = carrier, tracking_number, tracking_url
        self.notify_customer, self.key = notify_customer, key

    def __repr__(self):
        return f"Fulfilment({self.order_id!r}, {self.shipment!r}, {self.lines!r}, key={self.key!r})"


def _level_tuple(item):
    w = "ChannelClient.set_levels"
    expected = _get(item, "expected")
    return (_str(_require(item, "sku", w), w, "sku"), _str(_get(item, "location", "") or "", w, "location"),
            _int(_require(item, "quantity", w), w, "quantity"),
            None if expected is None else _int(expected, w, "expected"), _time_text(_get(item, "as_of")),
            _str(_get(item, "key", "") or "", w, "key"))


def _price_tuple(item):
    w = "ChannelClient.set_prices"
    price = _require(item, "price", w)
    if isinstance(price, Money):
        amount, currency = format(price.amount, "f"), price.currency
    else:
        currency = _get(item, "currency")
        if currency is None:
            raise TypeError(f"odoosync.{w}: a price that is not a Money needs its 'currency'")
        amount = _decimal_text(price, "Price")
    return (_str(_require(item, "sku", w), w, "sku"), amount, _str(currency, w, "currency"),
            _str(_get(item, "key", "") or "", w, "key"))


def _fulfilment_tuple(item):
    w = "ChannelClient.fulfil"
    lines = []
    for line in _get(item, "lines", ()) or ():
        if isinstance(line, dict):
            sku, qty = line.get("sku"), line.get("quantity")
        else:
            sku, qty = line
        lines.append((_str(sku, w, "a line's sku"), _int(qty, w, "a line's quantity")))
    notify = _get(item, "notify_customer", True)
    return (_str(_require(item, "order_id", w), w, "order_id"), _str(_require(item, "shipment", w), w, "shipment"),
            lines, _str(_get(item, "carrier", "") or "", w, "carrier"),
            _str(_get(item, "tracking_number", "") or "", w, "tracking_number"),
            _str(_get(item, "tracking_url", "") or "", w, "tracking_url"), bool(notify),
            _str(_get(item, "key", "") or "", w, "key"))


class ChannelClient:
    """One channel's API (push::ChannelClient): what odoosync.channel_client() returns and Pusher.client
    is. Calls release the GIL and are serialised per client. Each returns one result per item, in the
    order given: {"outcome": "applied" | "stale" | "not_listed" | "retry" | "rejected",
    "channel_quantity": int or None (stale: what the channel holds), "message": the channel's words}.
    A whole-call failure raises (AuthError for refused credentials, BackpressureError when the provider's
    throttle would make it wait longer than max_wait, TransportError, HttpError, ProtocolError); the
    message names the channel."""

    def __init__(self, native):
        self._c = native

    channel = property(lambda self: self._c.channel, doc="The channel's name (in errors and metrics).")
    provider = property(lambda self: self._c.provider, doc="shopify, woocommerce, square or amazon.")

    def limits(self):
        """What the provider allows: {"max_levels_per_call", "max_prices_per_call", "sustained_rate",
        "unit" ("requests" or "cost points"), "max_wait" (seconds)}."""
        return self._c.limits()

    def set_levels(self, levels):
        """set_levels([Level or dict(sku, quantity, location="", expected=None, as_of=None, key="")]) ->
        results. Compare-and-set where the API has it (Shopify's compareQuantity)."""
        return self._c.set_levels([_level_tuple(l) for l in levels])

    def set_prices(self, prices):
        """set_prices([Price or dict(sku, price: Money | Decimal, currency=..., key="")]) -> results."""
        return self._c.set_prices([_price_tuple(p) for p in prices])

    def fulfil(self, fulfilments):
        """fulfil([Fulfilment or dict(order_id, shipment, lines=[(sku, qty)], carrier, tracking_number,
        tracking_url, notify_customer=True, key="")]) -> results; a shipment fulfilled already is applied."""
        return self._c.fulfil([_fulfilment_tuple(f) for f in fulfilments])

    def read_level(self, sku, location=""):
        """What the channel holds now for the SKU at the location; None when it does not list it there."""
        return self._c.read_level(sku, location)

    def __repr__(self):
        return f"<odoosync.ChannelClient {self.provider} {self.channel!r}>"


def channel_client(provider, url, settings=None, secrets=None, *, channel="python", timeout=None):
    """The client of a channel's API (push::make_channel_client): provider "shopify", "woocommerce",
    "square" or "amazon"; url the API's base URL (https://shop.myshopify.com,
    https://shop.example/wp-json/wc/v3, ...); settings the provider's settings (docs/push/<provider>.md;
    str, int or bool values); secrets by name, each a source ("env:NAME", "file:PATH", "cmd:PROGRAM ARGS")
    or a callable returning the secret (called again when the channel refuses it: a rotation is picked
    up). channel names the channel in errors; timeout is per request, in seconds. InvalidInput names the
    channel and the missing, unknown or malformed setting or secret."""
    return ChannelClient(_odoosync._channel_client(provider, url, settings, secrets, channel, timeout))


def _events(events):
    from .events import Event
    out = []
    for e in events:
        if isinstance(e, _odoosync.Event):
            out.append(e)
        elif isinstance(e, str):
            out.append(Event.decode(e))
        else:
            out.append(Event.from_dict(e))
    return out


class Pusher:
    """The durable push of one channel (push::Pusher, docs/push.md).

        store = odoosync.SqliteStore("odoosync.db")
        pusher = odoosync.Pusher.from_config(store, "channels.json", "shop-eu")
        pusher.pull(odoo_client, "stock")          # Odoo's changes -> the channel's outbox (durable)
        summary = pusher.run("stock")              # outbox -> the channel

    Kinds: "stock", "prices" (or "price"), "fulfilments" (or "fulfilment"). Not for two threads at once
    (calls are serialised); several processes may share a channel's outbox in a PostgreSQL store."""

    def __init__(self, store, client, channel, *, stock_locations=None, safety_stock=0, safety_stock_by_sku=None,
                 order_origin=None, max_attempts=10, backoff_base=1.0, backoff_max=300.0, stale_resends=3,
                 lease=120.0, max_fulfilments_per_call=1, seed=0):
        """store: odoosync.Store; client: a ChannelClient (odoosync.channel_client); channel: its name (the
        outbox's and checkpoints' key). stock_locations: {channel location: [Odoo locations (complete
        names) whose counts add up to it]} ("" for one stock per item). safety_stock: whole units held back
        from every item; safety_stock_by_sku overrides it per SKU. order_origin: fulfilments only of sale
        orders with this origin ("web/shop"). Times in seconds."""
        if isinstance(client, ChannelClient):
            native = client._c
        else:
            raise TypeError(f"odoosync.Pusher: client must be an odoosync.ChannelClient, got {type(client).__name__}")
        locations = {}
        for loc, odoo in (stock_locations or {}).items():
            locations[loc] = [odoo] if isinstance(odoo, str) else list(odoo)
        self._p = _odoosync._pusher(store, native, channel, locations, safety_stock, dict(safety_stock_by_sku or {}),
                                    order_origin, max_attempts, backoff_base, backoff_max, stale_resends, lease,
                                    max_fulfilments_per_call, seed)
        self._client = client

    @classmethod
    def from_config(cls, store, config, channel, *, max_attempts=10, backoff_base=1.0, backoff_max=300.0,
                    stale_resends=3, lease=120.0, max_fulfilments_per_call=1, seed=0):
        """The Pusher of a channel of a configuration file (its "push" block, docs/push.md): the client
        from make_channel_client with the block's url, settings and secrets, the mapping (stock
        locations, safety stock), the feeds it takes and the origin of its orders. InvalidInput names the
        channel when it is not in the file, has no "push" block, or its client cannot be made."""
        self = cls.__new__(cls)
        self._p = _odoosync._pusher_from_config(store, _os.fspath(config), channel, max_attempts, backoff_base,
                                                backoff_max, stale_resends, lease, max_fulfilments_per_call, seed)
        self._client = ChannelClient(self._p.client)
        return self

    channel = property(lambda self: self._p.channel, doc="The channel's name.")
    client = property(lambda self: self._client, doc="The channel's ChannelClient (shared with the Pusher).")
    order_origin = property(lambda self: self._p.order_origin,
                            doc="The sale.order origin whose deliveries are this channel's (None: every order's).")

    def accept(self, events):
        """The outbox intake (sync::EventSink): stock counts of the mapped Odoo locations, list prices and
        done deliveries (Events, dicts or JSON text, as an OutboundPuller hands them); other types are
        ignored. Durable when it returns; the latest value per item wins, an older one never overwrites it."""
        self._p.accept(_events(events))

    def pull(self, odoo, kind, *, settle=5.0, page_size=200):
        """Reads what changed in Odoo since the channel's checkpoint (push/<channel>/<feed>) into the
        outbox: kind "stock" (stock_levels), "prices" or "fulfilments" (done deliveries of the channel's
        orders). settle: rows younger than this many seconds wait for the next pull (None: read up to the
        newest). Returns {"events", "pages", "records", "skipped_no_sku", "skipped_no_order",
        "skipped_negative", "skipped_invalid", "problems"}."""
        return self._p.pull(odoo, kind, settle, page_size)

    def push_once(self, kind):
        """One batch: claim what is due, send, settle each item by its outcome. Returns {"claimed",
        "counts", "retry_after" (seconds or None), "error" (a whole-call failure)}. AuthError stops it."""
        return self._p.push_once(kind)

    def run(self, kind, wait_for_retries=0.0):
        """Rounds until nothing is due; with wait_for_retries (seconds) it also waits for items in backoff
        due within that time. Returns {"rounds", "counts": {"applied", "unchanged", "stale", "not_listed",
        "retried", "dead", "lost", "calls"}, "pending" (left waiting for a retry), "dead" (dead letters of
        this kind), "last_error"}. AuthError (refused credentials) is raised, the items wait."""
        return self._p.run(kind, float(wait_for_retries))

    def dead_letters(self, kind=None, limit=100):
        """The items the channel refused (or that failed max_attempts times): {"kind", "key", "status",
        "parts", "pushed", "channel_value", "attempts", "error", "changed_ms", "updated_ms"}."""
        return self._p.dead_letters(kind, limit)

    def replay(self, kind, key):
        """Pushes a dead letter again (at the next run), attempts reset; NotFoundError if it is not one."""
        self._p.replay(kind, key)

    def status(self):
        """The channel's outbox by kind: {"stock": {"pending", "not_listed", "dead", "oldest_pending_ms"}, ...}."""
        return self._p.status()

    def __repr__(self):
        return f"<odoosync.Pusher {self._client.provider} {self.channel!r}>"


class OutboundPuller:
    """What changed in Odoo, pulled incrementally and handed to sinks as canonical events
    (sync::OutboundPuller, docs/reconcile-outbound.md): feeds "stock_levels", "prices", "order_states",
    "fulfilments". Each feed walks Odoo by (write_date, id) from a checkpoint in the store
    ("<checkpoint_prefix><feed>"), saved only after every sink of the feed accepted the page: a sink that
    raises fails the pull, and the next pull hands the same page again (same event ids).

        puller = odoosync.OutboundPuller(store, odoo)
        puller.add_sink("stock_levels", my_sink)       # any object with accept(events: list[Event])
        puller.add_sink("stock_levels", pusher)        # an odoosync.Pusher: into its channel's outbox
        puller.pull("stock_levels")                    # events handed over

    A Pusher keeps its own checkpoints ("push/<channel>/"): Pusher.pull() is the simpler way to feed one
    channel. Calls release the GIL; a Python sink is called with it held."""

    def __init__(self, store, client, *, page_size=200, source="odoo", settle=5.0, checkpoint_prefix="outbound/",
                 order_origin=None):
        """settle: rows younger than this many seconds wait for the next pull (None: read up to the newest);
        order_origin: fulfilments only of sale orders with this origin."""
        self._p = _odoosync._outbound_puller(store, client, page_size, source, settle, checkpoint_prefix,
                                             order_origin)

    def add_sink(self, feed, sink):
        """Hands the feed's events to sink: a Pusher (its outbox intake) or any object with accept(events)."""
        if isinstance(sink, Pusher):
            self._p.add_pusher(feed, sink._p)
        else:
            self._p.add_sink(feed, sink)

    def pull(self, feed):
        """All pages since the feed's checkpoint; the number of events handed over. InvalidInput when the
        feed has no sink (nothing is read: the checkpoint would move past changes nobody saw)."""
        return self._p.pull(feed)

    def last_stats(self, feed):
        """What the last pull of the feed did: {"pages", "records", "events", "skipped_no_sku",
        "skipped_no_order", "skipped_negative", "skipped_invalid", "problems"}."""
        return self._p.last_stats(feed)
