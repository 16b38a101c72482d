"""Retail events: make, validate, encode, decode (docs/events.md)."""

import json
from datetime import datetime, timezone
from decimal import Decimal

from . import _odoosync

Event = _odoosync.Event


def _plain(value):
    """Money, Quantity and Decimal as their JSON forms (decimal strings), recursively."""
    if hasattr(value, "__odoosync_json__"):
        return _plain(value.__odoosync_json__())
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        raise TypeError(f"odoosync: use decimal.Decimal or str for amounts and quantities, never float ({value!r})")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _from_dict(d):
    """An Event from a CloudEvents dict, validated exactly as Event.decode validates JSON text."""
    return Event.decode(json.dumps(_plain(d)))


Event.from_dict = staticmethod(_from_dict)


def make_event(type, data, source, id, time=None, sequence=None, traceparent=None):
    """A validated event: make_event("retail.stock.adjusted", {"sku": "SKU-1", "location": "WH/Stock",
    "delta": Quantity(-2)}, source="pos/store-12", id="evt-1"). `time` is a datetime or RFC 3339 text
    (default: now, UTC); `sequence` orders a source's events on one subject. Raises InvalidInput naming
    the problem as a JSON pointer."""
    if time is None:
        time = datetime.now(timezone.utc)
    if isinstance(time, datetime):
        if time.tzinfo is None:
            raise ValueError("odoosync.make_event: time must be timezone-aware (UTC)")
        time = time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    envelope = {"specversion": "1.0", "id": id, "source": source, "type": type, "time": time, "data": data}
    if sequence is not None:
        envelope["sequence"] = str(sequence)
    if traceparent is not None:
        envelope["traceparent"] = traceparent
    return _from_dict(envelope)


def event_types():
    """The 15 event types this build reads and writes."""
    return _odoosync.event_types()


class EventType:
    """A host's own event type, for ``Engine(store, client, event_types=[MyType()])`` (docs/python.md,
    "A host's own event types"). Subclass it (or write any object with the same attributes):

    - ``type``: the name, lowercase dotted ("acme.loyalty.points"); it must not be a built-in one.
    - ``lane``: "realtime" (default) or "bulk".
    - ``subject(data) -> str``: checks ``data`` (the event's data, a dict) and names the subject that orders
      the events (e.g. "customer/C1"); raise ValueError (or any exception) to refuse the event: submit()
      then raises InvalidInput with your message and stores nothing.
    - ``batch_key(event) -> str`` (optional): events with the same key may share one effect; without it,
      each event has its own.
    - ``effect(events, token) -> effect``: the effect of a batch (``events`` a list of CloudEvent dicts in
      order, ``token`` the batch's name, stable across retries). The returned object has
      ``probe(client)`` (True / "applied" when Odoo already holds the effect, False / "absent", or
      "partial") and ``apply(client, state)`` (make Odoo hold it, from the state a probe found), and
      optionally ``plan(client)`` (a list of (model, method, payload) for dry runs). Both must be
      idempotent under the token: the engine probes before it resends after an unknown outcome.

    Errors from ``client`` calls inside an effect keep their kind (a timeout is retried, an Odoo refusal
    dead-letters the batch); any other exception dead-letters it with the exception's message.
    """

    type = None
    lane = "realtime"

    def subject(self, data):
        raise NotImplementedError(f"{type(self).__name__}.subject(data)")

    def effect(self, events, token):
        raise NotImplementedError(f"{type(self).__name__}.effect(events, token)")
