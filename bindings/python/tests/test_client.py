"""odoosync.Client against the emulator: the raw call and every helper, with results as plain Python
dicts and lists; paging as an iterator; incremental pulls with checkpoint resume."""

from __future__ import annotations

import collections.abc
import decimal
import re

import pytest

import odoosync

CHECKPOINT_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d#\d+$")


# ------------------------------------------------------------------------------------------ basics


def test_version_is_a_dict_with_major_minor_and_text(client):
    v = client.version()
    assert isinstance(v, dict), f"version() should return a dict, got {type(v).__name__}"
    assert v["major"] == 18 and v["minor"] == 0, f"the Odoo 18 emulator reported {v!r}"
    assert isinstance(v["text"], str) and v["text"].startswith("18.0"), f"version text {v['text']!r}"


def test_protocol_is_jsonrpc_on_odoo_18(client):
    assert client.protocol() == "jsonrpc"


def test_protocol_is_json2_on_odoo_19_with_an_api_key(fresh_emulator):
    c = fresh_emulator(odoo_version=19).client()
    assert c.version()["major"] == 19
    assert c.protocol() == "json2", "auto should pick JSON-2 on Odoo 19 when an API key is configured"
    # The helpers hide the protocol difference.
    rows = c.search_read("product.product", [("default_code", "=", "FURN_7777")], fields=["name"])
    assert len(rows) == 1 and "Office Chair" in rows[0]["name"], f"JSON-2 search_read gave {rows!r}"


def test_explicit_constructor_with_keyword_arguments(emulator):
    c = odoosync.Client(emulator.url, database=emulator.database, login=emulator.login,
                        api_key=emulator.api_key, protocol="jsonrpc", timeout=30.0)
    assert c.search_count("res.partner", [("id", "=", 3)]) == 1


def test_constructor_with_a_password_instead_of_an_api_key(emulator):
    c = odoosync.Client(emulator.url, database=emulator.database, login=emulator.login,
                        password=emulator.password)
    assert c.search_count("product.product", [("default_code", "=", "FURN_8888")]) == 1


def test_from_env_reads_the_odoo_variables(emulator, monkeypatch):
    monkeypatch.setenv("ODOO_URL", emulator.url)
    monkeypatch.setenv("ODOO_DB", emulator.database)
    monkeypatch.setenv("ODOO_USER", emulator.login)
    monkeypatch.setenv("ODOO_API_KEY", emulator.api_key)
    monkeypatch.delenv("ODOO_PASSWORD", raising=False)
    monkeypatch.setenv("ODOO_PROTOCOL", "auto")
    c = odoosync.Client.from_env()
    assert isinstance(c, odoosync.Client)
    assert c.version()["major"] == 18


def test_from_env_without_a_url_is_invalid_input(monkeypatch):
    monkeypatch.delenv("ODOO_URL", raising=False)
    with pytest.raises(odoosync.InvalidInput) as info:
        odoosync.Client.from_env()
    assert "ODOO_URL" in info.value.message, info.value.message


def test_config_builds_a_client_and_never_shows_secrets(emulator, monkeypatch):
    cfg = odoosync.Config(emulator.url, database=emulator.database, login=emulator.login, api_key=emulator.api_key)
    assert emulator.api_key not in repr(cfg), f"repr(Config) shows the API key: {cfg!r}"
    assert cfg.client().search_count("res.partner", [("id", "=", 3)]) == 1
    assert odoosync.Client.from_config(cfg).protocol() == "jsonrpc"
    monkeypatch.setenv("ODOO_URL", emulator.url)
    monkeypatch.setenv("ODOO_DB", emulator.database)
    monkeypatch.setenv("ODOO_USER", emulator.login)
    monkeypatch.setenv("ODOO_API_KEY", "overridden below")
    monkeypatch.setenv("ODOO_TIMEOUT_MS", "30000")
    env_cfg = odoosync.Config.from_env(api_key=emulator.api_key)
    assert env_cfg.url == emulator.url and env_cfg.api_key == emulator.api_key and env_cfg.timeout == 30.0
    assert env_cfg.client().version()["major"] == 18


# ------------------------------------------------------------------------------------------ raw call


def test_raw_call_with_positional_and_named_arguments_returns_python_values(client):
    rows = client.call("res.partner", "read", [[3]], {"fields": ["name"]})
    assert isinstance(rows, list) and len(rows) == 1, f"read via call gave {rows!r}"
    assert isinstance(rows[0], dict) and rows[0]["id"] == 3 and isinstance(rows[0]["name"], str)


def test_raw_call_returns_scalars_as_python_scalars(client):
    n = client.call("res.partner", "search_count", [[]])
    assert isinstance(n, int) and not isinstance(n, bool) and n > 0, f"search_count via call gave {n!r}"
    ok = client.call("res.partner", "search", [[["id", "=", 3]]])
    assert ok == [3]


def test_raw_call_without_args_and_kwargs(client):
    ctx = client.call("res.users", "context_get")
    assert isinstance(ctx, dict), f"context_get should give a dict, got {ctx!r}"


def test_raw_call_result_none_for_methods_returning_none(client):
    quant = client.create("stock.quant", {"product_id": 7, "location_id": 8, "inventory_quantity": 4})
    r = client.call("stock.quant", "action_apply_inventory", [[quant]])
    assert r is None, f"a method returning None should give None, got {r!r}"


# ------------------------------------------------------------------------------------------ helpers


def test_search_returns_a_list_of_ints_with_order_offset_and_limit(client):
    ids = client.search("product.product", [("default_code", "=like", "FURN_%")], order="id asc")
    assert isinstance(ids, list) and all(isinstance(i, int) for i in ids), f"search gave {ids!r}"
    assert ids == sorted(ids), "order='id asc' should sort the ids"
    assert {5, 6, 7} <= set(ids), "FURN_7777, FURN_8888 and FURN_9999 are ids 5, 6, 7 in the demo data"
    assert client.search("product.product", [("default_code", "=like", "FURN_%")], order="id asc", limit=2) == ids[:2]
    assert client.search("product.product", [("default_code", "=like", "FURN_%")], order="id asc",
                         offset=1, limit=2) == ids[1:3]
    desc = client.search("product.product", [("default_code", "=like", "FURN_%")], order="id desc")
    assert desc == list(reversed(ids))


def test_search_with_no_domain_matches_everything(client):
    assert len(client.search("res.partner")) == client.search_count("res.partner")
    assert len(client.search("res.partner", None)) == client.search_count("res.partner", [])


def test_search_read_returns_dicts_with_the_requested_fields(client):
    rows = client.search_read("product.product", [("default_code", "in", ["FURN_7777", "FURN_8888"])],
                              fields=["default_code", "name", "list_price", "uom_id"], order="id asc")
    assert [r["default_code"] for r in rows] == ["FURN_7777", "FURN_8888"], f"got {rows!r}"
    r = rows[0]
    assert isinstance(r, dict)
    assert set(r) >= {"id", "default_code", "name", "list_price", "uom_id"}
    assert isinstance(r["list_price"], float), "a float field arrives as a Python float"
    assert isinstance(r["uom_id"], list) and len(r["uom_id"]) == 2, "a many2one arrives as [id, name]"
    assert isinstance(r["uom_id"][0], int) and isinstance(r["uom_id"][1], str)


def test_search_read_offset_limit(client):
    all_rows = client.search_read("product.product", [("default_code", "=like", "EMU-%")],
                                  fields=["default_code"], order="id asc")
    assert len(all_rows) == 40, f"the session emulator has 40 generated products, got {len(all_rows)}"
    page = client.search_read("product.product", [("default_code", "=like", "EMU-%")],
                              fields=["default_code"], offset=10, limit=5, order="id asc")
    assert [r["id"] for r in page] == [r["id"] for r in all_rows[10:15]]


def test_empty_fields_arrive_as_false_not_none(client):
    rows = client.read("product.product", [1], ["default_code"])
    assert rows[0]["default_code"] is False, "Odoo sends empty fields as false"


def test_read_returns_dicts_and_drops_missing_ids(client):
    rows = client.read("res.partner", [3, 999999], ["name"])
    assert [r["id"] for r in rows] == [3], f"missing ids are dropped by read, got {rows!r}"
    assert set(rows[0]) == {"id", "name"}


def test_read_without_fields_returns_all_fields(client):
    rows = client.read("res.partner", [3])
    assert len(rows) == 1 and len(rows[0]) > 10, "read without fields should return every field"


def test_search_count_is_an_int(client):
    n = client.search_count("product.product", [("default_code", "=like", "EMU-%")])
    assert n == 40 and type(n) is int


def test_create_one_returns_an_int_and_many_return_a_list(client):
    one = client.create("res.partner", {"name": "PyTest One", "ref": "PYT-1"})
    assert type(one) is int, f"create(dict) should return an int, got {one!r}"
    many = client.create("res.partner", [{"name": "PyTest Two"}, {"name": "PyTest Three"}])
    assert isinstance(many, list) and len(many) == 2 and all(type(i) is int for i in many), f"got {many!r}"
    assert many[0] < many[1] and one < many[0], "ids come back in the order of the values"
    names = {r["id"]: r["name"] for r in client.read("res.partner", [one] + many, ["name"])}
    assert names == {one: "PyTest One", many[0]: "PyTest Two", many[1]: "PyTest Three"}


def test_create_accepts_decimal_and_bool_values(client):
    pid = client.create("product.product", {"name": "PyTest Decimal", "list_price": decimal.Decimal("12.25"),
                                            "sale_ok": True, "barcode": False})
    row = client.read("product.product", [pid], ["list_price", "sale_ok", "barcode"])[0]
    assert row["list_price"] == 12.25 and row["sale_ok"] is True and row["barcode"] is False, f"got {row!r}"


def test_write_returns_none_and_changes_the_record(client):
    pid = client.create("res.partner", {"name": "PyTest Write"})
    assert client.write("res.partner", [pid], {"phone": "+32 2 555 01 01", "name": "PyTest Written"}) is None
    row = client.read("res.partner", [pid], ["name", "phone"])[0]
    assert row["name"] == "PyTest Written" and row["phone"] == "+32 2 555 01 01"


def test_unlink_returns_none_and_removes_the_record(client):
    pid = client.create("res.partner", {"name": "PyTest Unlink"})
    assert client.unlink("res.partner", [pid]) is None
    assert client.search_count("res.partner", [("id", "=", pid)]) == 0
    assert client.read("res.partner", [pid], ["name"]) == []


def test_write_and_unlink_with_no_ids_are_refused_locally(client):
    with pytest.raises(odoosync.InvalidInput):
        client.write("res.partner", [], {"name": "nobody"})
    with pytest.raises(odoosync.InvalidInput):
        client.unlink("res.partner", [])


def test_name_search_returns_id_name_tuples(client):
    found = client.name_search("product.product", "Office Chair", limit=5)
    assert isinstance(found, list) and found, f"name_search found nothing: {found!r}"
    for item in found:
        assert isinstance(item, tuple) and len(item) == 2, f"each match should be (id, name), got {item!r}"
        assert isinstance(item[0], int) and isinstance(item[1], str)
    assert 5 in [i for i, _ in found], "FURN_7777 (id 5) is 'Office Chair'"
    assert len(client.name_search("product.product", "", limit=3)) == 3
    narrowed = client.name_search("product.product", "Office", domain=[("default_code", "=", "FURN_8888")])
    assert [i for i, _ in narrowed] == [6], f"the domain narrows name_search, got {narrowed!r}"


def test_read_group_returns_dicts_per_group(client):
    groups = client.read_group("stock.quant", [("location_id.usage", "=", "internal")],
                               ["quantity:sum"], ["location_id"])
    assert isinstance(groups, list) and groups and all(isinstance(g, dict) for g in groups), f"got {groups!r}"
    by_location = {g["location_id"][1]: g for g in groups}
    assert "WH/Stock" in by_location, f"no WH/Stock group in {list(by_location)}"
    assert by_location["WH/Stock"]["quantity"] > 0


def test_fields_get_returns_a_dict_of_field_descriptions(client):
    meta = client.fields_get("product.product", ["string", "type"])
    assert isinstance(meta, dict) and "default_code" in meta
    assert meta["default_code"]["type"] == "char"
    assert meta["list_price"]["type"] in ("float", "monetary")
    full = client.fields_get("product.product")
    assert set(full) == set(meta), "attributes only narrow the description, not the fields"


def test_load_upserts_by_external_id(client):
    fields = ["id", "name", "default_code", "list_price"]
    ids = client.load("product.product", fields, [["pytest.load_1", "PyTest Load 1", "PYT-LOAD-1", "12.50"],
                                                   ["pytest.load_2", "PyTest Load 2", "PYT-LOAD-2", "3"]])
    assert isinstance(ids, list) and len(ids) == 2 and all(type(i) is int for i in ids), f"load gave {ids!r}"
    again = client.load("product.product", fields, [["pytest.load_1", "PyTest Load 1b", "PYT-LOAD-1", "13.75"]])
    assert again == ids[:1], "loading the same external id again updates the same record"
    row = client.read("product.product", ids[:1], ["name", "list_price"])[0]
    assert row["name"] == "PyTest Load 1b" and row["list_price"] == 13.75


# ------------------------------------------------------------------------------------------ paging


def test_iterate_is_a_lazy_iterator_of_dicts_in_id_order(client):
    it = client.iterate("product.product", [("default_code", "=like", "EMU-%")], fields=["default_code"], page_size=7)
    assert isinstance(it, collections.abc.Iterator), f"iterate() should return an iterator, got {type(it).__name__}"
    assert iter(it) is it
    first = next(it)
    assert isinstance(first, dict) and first["default_code"] == "EMU-00001", f"first row {first!r}"
    rest = list(it)
    rows = [first] + rest
    ids = [r["id"] for r in rows]
    assert len(rows) == 40, f"40 EMU products expected across 6 pages of 7, got {len(rows)}"
    assert ids == sorted(ids) and len(set(ids)) == 40, "pages by id: ascending, no repeats"
    with pytest.raises(StopIteration):
        next(it)


def test_iterate_with_no_match_yields_nothing(client):
    assert list(client.iterate("product.product", [("default_code", "=", "NO-SUCH-CODE")])) == []


def test_iterate_sees_every_row_even_when_rows_are_inserted_during_the_walk(client):
    assert list(client.iterate("res.partner", [("name", "=like", "PyTest Walk %")], page_size=2)) == []
    base = client.create("res.partner", [{"name": f"PyTest Walk {i}"} for i in range(5)])
    seen = []
    for i, row in enumerate(client.iterate("res.partner", [("name", "=like", "PyTest Walk %")],
                                           fields=["name"], page_size=2)):
        seen.append(row["id"])
        if i == 0:
            client.create("res.partner", {"name": "PyTest Walk late"})
    assert seen[:5] == base and len(seen) == 6, f"id paging should also see the row inserted later: {seen}"


def test_changes_pull_in_write_date_order_and_resume_from_the_checkpoint(fresh_emulator):
    c = fresh_emulator(odoo_version=18).client()
    domain = [("default_code", "!=", False)]
    it = c.changes("product.product", domain, fields=["default_code", "write_date"], page_size=5)
    assert isinstance(it, collections.abc.Iterator)
    head = [next(it) for _ in range(5)]
    cp_after_page = it.checkpoint                # after the page that held the fifth row
    assert isinstance(cp_after_page, str) and CHECKPOINT_RE.match(cp_after_page), \
        f"checkpoint {cp_after_page!r} is not 'YYYY-MM-DD HH:MM:SS#id'"
    tail = list(it)
    rows = head + tail
    stamps = [r["write_date"] for r in rows]
    assert stamps == sorted(stamps), "changes() hands seconds in order (within a second, any order)"
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == c.search_count("product.product", domain), "each row once"
    final = it.checkpoint
    last_second = rows[-1]["write_date"]
    assert final == f"{last_second}#{max(r['id'] for r in rows if r['write_date'] == last_second)}", final

    # Resume after the first page: exactly the rows after the checkpoint, nothing repeated, nothing lost.
    cp_second, cp_id = cp_after_page.split("#")
    before = {r["id"] for r in rows if r["write_date"] < cp_second or (r["write_date"] == cp_second and r["id"] <= int(cp_id))}
    assert {r["id"] for r in head} <= before
    resumed = [r["id"] for r in c.changes("product.product", domain, fields=["default_code"], since=cp_after_page, page_size=5)]
    assert len(resumed) == len(set(resumed)) and set(resumed) == set(ids) - before

    # Resume from the end: nothing, until something changes.
    assert list(c.changes("product.product", domain, since=final)) == []
    new_id = c.create("product.product", {"name": "Changed later", "default_code": "PYT-CHG-1"})
    c.write("product.product", [5], {"list_price": 321.0})
    later = c.changes("product.product", domain, fields=["default_code", "list_price"], since=final)
    got = {r["id"]: r for r in later}
    assert new_id in got and 5 in got, f"a pull from the final checkpoint should see the new and the written rows: {sorted(got)}"
    assert got[5]["list_price"] == 321.0
    assert later.checkpoint != final


def test_changes_checkpoint_with_no_rows_keeps_since(client):
    it = client.changes("product.product", [("default_code", "=", "NO-SUCH-CODE")], since="2026-11-22 22:31:48#5")
    assert list(it) == []
    assert it.checkpoint == "2026-11-22 22:31:48#5", f"with no rows the checkpoint stays where it was: {it.checkpoint!r}"


def test_changes_rejects_a_malformed_checkpoint(client):
    with pytest.raises(odoosync.InvalidInput):
        list(client.changes("product.product", since="yesterday"))


def test_a_wrong_argument_type_names_it_and_never_shows_the_secrets(emulator):
    secret = emulator.api_key
    for kwargs, name in (({"timeout": "30"}, "timeout"), ({"verify_tls": "yes"}, "verify_tls"),
                         ({"login": 7}, "login")):
        with pytest.raises(TypeError) as info:
            odoosync.Client(emulator.url, database=emulator.database, api_key=secret, password="hunter2-pw",
                            **{"login": emulator.login, **kwargs})
        message = str(info.value)
        assert name in message and "Client()" in message, message
        assert secret not in message and "hunter2-pw" not in message, message
    with pytest.raises(TypeError) as info:
        odoosync.Client(emulator.url, database=emulator.database, login=emulator.login, api_key=12345)
    assert "api_key must be a str or None, got int" in str(info.value)
    assert "12345" not in str(info.value)
