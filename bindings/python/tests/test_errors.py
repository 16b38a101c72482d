"""The exception hierarchy and its attributes, each error produced for real against the emulator."""

from __future__ import annotations

import time

import pytest

import odoosync
from odoosync import Engine, MemoryStore

HIERARCHY = {
    "TransportError": "Error", "HttpError": "Error", "ProtocolError": "Error", "AuthError": "Error",
    "AccessDenied": "AuthError", "OdooError": "Error", "ValidationError": "OdooError", "AccessError": "OdooError",
    "MissingError": "OdooError", "UserError": "OdooError", "NotFoundError": "Error", "InvalidInput": "Error",
    "ConflictError": "Error", "StorageError": "Error", "CancelledError": "Error", "BackpressureError": "Error",
}
KINDS = {"transport", "http", "protocol", "auth", "odoo", "not_found", "validation", "conflict", "storage",
         "cancelled", "backpressure"}


def check_attributes(err):
    """Every odoosync error carries the same attributes with the same types."""
    assert isinstance(err, odoosync.Error) and isinstance(err, Exception)
    assert err.kind in KINDS, f"unknown kind {err.kind!r}"
    for name, typ in (("kind", str), ("odoo_class", str), ("message", str), ("correlation_id", str)):
        assert isinstance(getattr(err, name), typ), f"{name} should be {typ.__name__}: {getattr(err, name)!r}"
    for name in ("retryable", "outcome_unknown"):
        assert type(getattr(err, name)) is bool, f"{name} should be a bool: {getattr(err, name)!r}"
    assert type(err.http_status) is int
    assert err.message, "the message is never empty"
    assert err.message in str(err), f"str(error) should contain the message: {str(err)!r}"


@pytest.mark.parametrize("name, parent", sorted(HIERARCHY.items()))
def test_hierarchy(name, parent):
    cls = getattr(odoosync, name)
    assert issubclass(cls, getattr(odoosync, parent)), f"{name} should derive from {parent}"
    assert issubclass(cls, odoosync.Error)


def test_error_is_an_exception_and_invalid_input_is_a_value_error():
    assert issubclass(odoosync.Error, Exception)
    assert issubclass(odoosync.InvalidInput, ValueError)
    assert not issubclass(odoosync.OdooError, ValueError)


# ------------------------------------------------------------------------------------ from Odoo


def test_missing_error_writing_a_deleted_record(client):
    pid = client.create("res.partner", {"name": "PyTest Deleted"})
    client.unlink("res.partner", [pid])
    assert client.read("res.partner", [pid], ["name"]) == [], "read drops deleted ids (as the emulator and docs say)"
    with pytest.raises(odoosync.MissingError) as info:
        client.write("res.partner", [pid], {"name": "ghost"})
    err = info.value
    check_attributes(err)
    assert isinstance(err, odoosync.OdooError)
    assert err.kind == "not_found" and err.odoo_class == "odoo.exceptions.MissingError", (err.kind, err.odoo_class)
    assert err.retryable is False and err.outcome_unknown is False
    assert "does not exist" in err.message, err.message
    with pytest.raises(odoosync.MissingError):
        client.unlink("res.partner", [pid])


def test_missing_error_from_a_method_on_a_deleted_record(client):
    so = client.create("sale.order", {"partner_id": 10})
    client.unlink("sale.order", [so])
    with pytest.raises(odoosync.MissingError) as info:
        client.call("sale.order", "action_confirm", [[so]])
    check_attributes(info.value)
    assert info.value.odoo_class == "odoo.exceptions.MissingError"


def test_validation_error_from_load_names_the_row_and_field(client):
    with pytest.raises(odoosync.ValidationError) as info:
        client.load("product.product", ["id", "name", "list_price"],
                    [["pytest.vl_1", "Fine", "1"], ["pytest.vl_2", "Bad price", "abc"]])
    err = info.value
    check_attributes(err)
    assert "row 1" in err.message and "list_price" in err.message, f"load error should name row and field: {err.message}"
    assert "wrote nothing" in err.message
    assert client.search_count("product.product", [("name", "=", "Fine")]) == 0, "load is all or nothing"


def test_validation_error_from_an_odoo_constraint(client):
    with pytest.raises(odoosync.ValidationError) as info:
        client.create("product.product", {"default_code": "PYT-NO-NAME"})   # name is required (NOT NULL)
    err = info.value
    check_attributes(err)
    assert err.kind == "odoo" and err.odoo_class == "odoo.exceptions.ValidationError", (err.kind, err.odoo_class)
    assert isinstance(err, odoosync.OdooError) and not isinstance(err, odoosync.InvalidInput)


def test_user_error_confirming_an_order_twice(client):
    so = client.create("sale.order", {"partner_id": 10,
                                      "order_line": [[0, 0, {"product_id": 5, "product_uom_qty": 1}]]})
    client.call("sale.order", "action_confirm", [[so]])
    with pytest.raises(odoosync.UserError) as info:
        client.call("sale.order", "action_confirm", [[so]])
    check_attributes(info.value)
    assert info.value.odoo_class == "odoo.exceptions.UserError" and info.value.kind == "odoo"


def test_access_error_calling_a_private_method(client):
    with pytest.raises(odoosync.AccessError) as info:
        client.call("res.partner", "_read", [[3]])
    err = info.value
    check_attributes(err)
    assert err.odoo_class == "odoo.exceptions.AccessError" and "Private methods" in err.message, err.message


def test_unknown_method_is_not_found(client):
    with pytest.raises(odoosync.Error) as info:
        client.call("res.partner", "no_such_method", [[3]])
    err = info.value
    check_attributes(err)
    assert err.kind == "not_found", err.kind
    assert isinstance(err, odoosync.NotFoundError), \
        f"not_found with class {err.odoo_class!r} should map to NotFoundError, got {type(err).__name__}"


def test_unknown_model_on_odoo_18_maps_by_its_class_to_user_error(client):
    # Odoo 18 answers an unknown model with a UserError; the kind is not_found, the class decides.
    with pytest.raises(odoosync.UserError) as info:
        client.search("no.such.model")
    check_attributes(info.value)
    assert info.value.kind == "not_found" and info.value.odoo_class == "odoo.exceptions.UserError"


def test_unknown_model_on_odoo_19_is_not_found(fresh_emulator):
    c = fresh_emulator(odoo_version=19).client()
    with pytest.raises(odoosync.NotFoundError) as info:
        c.search("no.such.model")
    check_attributes(info.value)
    assert info.value.odoo_class == "werkzeug.exceptions.NotFound"


def test_a_bad_domain_field_is_an_odoo_error(client):
    with pytest.raises(odoosync.OdooError) as info:
        client.search("res.partner", [("no_such_field", "=", 1)])
    check_attributes(info.value)
    assert info.value.kind == "odoo"


# ------------------------------------------------------------------------------------ auth


def test_auth_error_with_a_bad_api_key(emulator):
    c = odoosync.Client(emulator.url, database=emulator.database, login=emulator.login, api_key="not-the-key")
    with pytest.raises(odoosync.AuthError) as info:
        c.search_count("res.partner")
    err = info.value
    check_attributes(err)
    assert err.kind == "auth" and err.retryable is False
    assert isinstance(err, odoosync.AccessDenied) == err.odoo_class.endswith("AccessDenied"), \
        f"AccessDenied iff the Odoo class ends with AccessDenied: {type(err).__name__} / {err.odoo_class!r}"
    assert "not-the-key" not in str(err), "secrets never appear in errors"


def test_auth_error_with_a_bad_password(emulator):
    c = odoosync.Client(emulator.url, database=emulator.database, login=emulator.login, password="wrong")
    with pytest.raises(odoosync.AuthError) as info:
        c.search_count("res.partner")
    assert info.value.kind == "auth" and "wrong" not in str(info.value)


def test_auth_error_on_odoo_19_json2_is_not_access_denied(fresh_emulator):
    em = fresh_emulator(odoo_version=19)
    c = odoosync.Client(em.url, database=em.database, login=em.login, api_key="0" * 40, protocol="json2")
    with pytest.raises(odoosync.AuthError) as info:
        c.search_count("res.partner")
    err = info.value
    check_attributes(err)
    assert err.http_status == 401, err.http_status
    assert not isinstance(err, odoosync.AccessDenied), f"odoo_class {err.odoo_class!r}"


def test_key_expired_fault_is_an_auth_error(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    c = em.client()
    c.search_count("res.partner")
    em.inject({"kind": "key_expired", "times": 1})
    with pytest.raises(odoosync.AuthError) as info:
        c.search_count("res.partner")
    check_attributes(info.value)
    # JSON-RPC (Odoo 18): an expired key is execute_kw's AccessDenied.
    assert isinstance(info.value, odoosync.AccessDenied), type(info.value).__name__
    assert info.value.odoo_class == "odoo.exceptions.AccessDenied" and info.value.retryable is False


# ------------------------------------------------------------------------------------ transport, http


def test_transport_error_when_nothing_listens():
    c = odoosync.Client("http://127.0.0.1:9", database="x", login="admin", api_key="k", timeout=5.0)
    t0 = time.monotonic()
    with pytest.raises(odoosync.TransportError) as info:
        c.version()
    elapsed = time.monotonic() - t0
    err = info.value
    check_attributes(err)
    assert err.kind == "transport" and err.retryable is True, (err.kind, err.retryable)
    assert err.outcome_unknown is False, "a refused connection never sent the request"
    assert err.http_status == 0
    assert elapsed < 30, f"the refused connection took {elapsed:.1f}s to report"


def test_transport_error_with_the_url_only():
    with pytest.raises(odoosync.Error) as info:
        odoosync.Client("http://127.0.0.1:9").version()
    assert isinstance(info.value, (odoosync.TransportError, odoosync.InvalidInput)), type(info.value).__name__


def test_http_error_503_on_a_write(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    c = em.client()
    c.search_count("res.partner")
    em.inject({"kind": "http_503", "model": "res.partner", "method": "create", "times": 1})
    with pytest.raises(odoosync.HttpError) as info:
        c.create("res.partner", {"name": "PyTest 503"})
    err = info.value
    check_attributes(err)
    assert err.kind == "http" and err.http_status == 503 and err.retryable is True, (err.kind, err.http_status)
    assert c.search_count("res.partner", [("name", "=", "PyTest 503")]) == 0


def test_gateway_timeout_on_a_write_has_an_unknown_outcome(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    c = em.client()
    c.search_count("res.partner")
    em.inject({"kind": "http_504", "model": "res.partner", "method": "create", "times": 1})
    with pytest.raises(odoosync.HttpError) as info:
        c.create("res.partner", {"name": "PyTest 504"})
    assert info.value.http_status == 504 and info.value.outcome_unknown is True


def test_reset_after_commit_is_a_transport_error_with_unknown_outcome(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    c = em.client()
    c.search_count("res.partner")
    em.inject('{"kind": "reset_after", "model": "res.partner", "method": "create", "times": 1}')
    with pytest.raises(odoosync.TransportError) as info:
        c.create("res.partner", {"name": "PyTest Reset"})
    err = info.value
    check_attributes(err)
    assert err.outcome_unknown is True and err.retryable is True
    assert c.search_count("res.partner", [("name", "=", "PyTest Reset")]) == 1, "the call was applied"


def test_serialization_failure_is_a_retryable_conflict(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    c = em.client()
    c.search_count("res.partner")
    em.inject({"kind": "serialization_failure", "model": "res.partner", "method": "create", "times": 1})
    with pytest.raises(odoosync.ConflictError) as info:
        c.create("res.partner", {"name": "PyTest Conflict"})
    err = info.value
    check_attributes(err)
    assert err.kind == "conflict" and err.retryable is True
    assert "SerializationFailure" in err.odoo_class, err.odoo_class


def test_reads_are_retried_through_a_single_503(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    c = em.client()
    c.search_count("res.partner")
    # The client honours Retry-After (1 s by default in the emulator); 0 keeps the test fast.
    em.inject({"kind": "http_503", "times": 1, "retry_after_s": 0})
    assert c.search_count("res.partner", [("id", "=", 3)]) == 1, "an idempotent read is retried by the client"


# ------------------------------------------------------------------------------------ local errors


def test_raw_calls_are_not_retried_since_they_may_write(fresh_emulator):
    em = fresh_emulator(odoo_version=18)
    c = em.client()
    c.search_count("res.partner")
    em.inject({"kind": "http_503", "times": 1, "retry_after_s": 0})
    with pytest.raises(odoosync.HttpError) as info:
        c.call("res.partner", "search_count", [[]])
    assert info.value.http_status == 503 and info.value.retryable is True


def test_invalid_input_for_a_bad_event():
    with pytest.raises(odoosync.InvalidInput) as info:
        odoosync.Event.decode('{"specversion": "0.3"}')
    err = info.value
    check_attributes(err)
    assert err.kind == "validation" and err.odoo_class == "" and err.http_status == 0
    assert err.message == '/specversion: must be "1.0"', err.message
    with pytest.raises(ValueError):
        odoosync.Event.decode("[]")


def test_backpressure_error_from_an_intake_only_engine():
    engine = Engine(MemoryStore(), high_water=1)
    ev = {"specversion": "1.0", "id": "bp-1", "source": "pos/store-1", "type": "retail.stock.adjusted",
          "time": "2026-12-01T10:15:00Z",
          "data": {"sku": "A", "location": "WH/Stock", "delta": {"value": "1", "uom": "Units"}}}
    assert engine.submit(ev) == "accepted"
    with pytest.raises(odoosync.BackpressureError) as info:
        engine.submit(dict(ev, id="bp-2"))
    err = info.value
    check_attributes(err)
    assert err.kind == "backpressure" and err.retryable is True


def test_storage_error_for_an_unopenable_sqlite_file(tmp_path):
    with pytest.raises(odoosync.StorageError) as info:
        odoosync.SqliteStore(str(tmp_path / "no-such-dir" / "odoosync.db"))
    check_attributes(info.value)
    assert info.value.kind == "storage"


def test_errors_can_be_caught_generically():
    try:
        odoosync.Money("1.234", "EUR")
    except odoosync.Error as e:
        assert type(e) is odoosync.InvalidInput
    else:
        pytest.fail("Money('1.234', 'EUR') should raise")
