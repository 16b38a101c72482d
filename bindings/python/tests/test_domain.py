"""The Domain builder: field(...) operators, & | ~ in Odoo's prefix notation, to_list(), and the forms
every domain= parameter takes (Domain, list of tuples or lists, None)."""

from __future__ import annotations

import decimal

import pytest

import odoosync
from odoosync import Domain, field


@pytest.mark.parametrize("build, op, value", [
    (lambda: field("name") == "x", "=", "x"),
    (lambda: field("name") != "x", "!=", "x"),
    (lambda: field("list_price") < 10, "<", 10),
    (lambda: field("list_price") <= 10, "<=", 10),
    (lambda: field("list_price") > 10, ">", 10),
    (lambda: field("list_price") >= 10, ">=", 10),
    (lambda: field("list_price") > 9.5, ">", 9.5),
    (lambda: field("sale_ok") == True, "=", True),  # noqa: E712 - building a domain, not comparing
    (lambda: field("barcode") == False, "=", False),  # noqa: E712
])
def test_comparison_operators_build_one_condition(build, op, value):
    d = build()
    assert isinstance(d, Domain), f"field(...) {op} ... should build a Domain, got {type(d).__name__}"
    got = d.to_list()
    assert got == [[got[0][0], op, value]], f"expected one [{op!r}] condition, got {got!r}"
    assert type(got[0][2]) is type(value), f"the value keeps its JSON type: {got[0][2]!r} vs {value!r}"


@pytest.mark.parametrize("build, expected", [
    (lambda: field("id").in_([1, 2]), ["id", "in", [1, 2]]),
    (lambda: field("state").in_(["sale", "done"]), ["state", "in", ["sale", "done"]]),
    (lambda: field("id").not_in([3]), ["id", "not in", [3]]),
    (lambda: field("name").like("Desk"), ["name", "like", "Desk"]),
    (lambda: field("name").ilike("desk"), ["name", "ilike", "desk"]),
    (lambda: field("name").not_like("Desk"), ["name", "not like", "Desk"]),
    (lambda: field("name").not_ilike("desk"), ["name", "not ilike", "desk"]),
    (lambda: field("default_code").eq_like("FURN_%"), ["default_code", "=like", "FURN_%"]),
    (lambda: field("default_code").eq_ilike("furn_%"), ["default_code", "=ilike", "furn_%"]),
    (lambda: field("categ_id").child_of(1), ["categ_id", "child_of", 1]),
    (lambda: field("categ_id").parent_of(4), ["categ_id", "parent_of", 4]),
    (lambda: field("partner_id.country_id.code") == "BE", ["partner_id.country_id.code", "=", "BE"]),
])
def test_named_operators(build, expected):
    assert build().to_list() == [expected]


def test_and_or_not_are_odoo_prefix_notation():
    a = field("a") == 1
    b = field("b") > 2
    c = field("c").ilike("x")
    assert (a & b).to_list() == ["&", ["a", "=", 1], ["b", ">", 2]]
    assert (a | b).to_list() == ["|", ["a", "=", 1], ["b", ">", 2]]
    assert (~a).to_list() == ["!", ["a", "=", 1]]
    assert (a & (b | c)).to_list() == ["&", ["a", "=", 1], "|", ["b", ">", 2], ["c", "ilike", "x"]]
    assert ((a & b) | ~c).to_list() == ["|", "&", ["a", "=", 1], ["b", ">", 2], "!", ["c", "ilike", "x"]]


def test_operators_do_not_change_their_operands():
    a = field("a") == 1
    b = field("b") == 2
    _ = a & b
    _ = ~a
    assert a.to_list() == [["a", "=", 1]] and b.to_list() == [["b", "=", 2]]


def test_domain_from_a_list_of_tuples_or_lists():
    assert Domain([("a", "=", 1)]).to_list() == [["a", "=", 1]]
    assert Domain([["a", "=", 1]]).to_list() == [["a", "=", 1]]
    assert Domain(["&", ("a", "=", 1), ("b", ">", 2)]).to_list() == ["&", ["a", "=", 1], ["b", ">", 2]]
    assert Domain([]).to_list() == []


def test_domain_from_a_list_combines_with_built_ones():
    d = Domain([("a", "=", 1)]) & (field("b") == "x")
    assert d.to_list() == ["&", ["a", "=", 1], ["b", "=", "x"]]


def test_a_malformed_domain_is_refused_before_anything_is_sent(client):
    # Domain([...]) keeps what it is given; the shape is checked when a call encodes it.
    bad = Domain([("name", "=")])
    with pytest.raises(odoosync.InvalidInput) as info:
        client.search("res.partner", bad)
    assert info.value.kind == "validation" and "domain element 0" in info.value.message, info.value.message
    with pytest.raises(odoosync.InvalidInput):
        client.search_count("res.partner", [("name", "=", "x", "extra")])


def test_to_list_is_plain_json_data():
    import json
    d = (field("name").ilike("desk") & (field("list_price") >= 9.99)) | (field("id").in_([5, 6]))
    assert json.loads(json.dumps(d.to_list())) == d.to_list(), "to_list() must hold only JSON-able values"


# ----------------------------------------------------------------------- every domain= form, in use


@pytest.mark.parametrize("domain", [
    field("default_code").eq_like("FURN_7%"),
    [("default_code", "=like", "FURN_7%")],
    [["default_code", "=like", "FURN_7%"]],
    Domain([("default_code", "=like", "FURN_7%")]),
], ids=["Domain-built", "list-of-tuples", "list-of-lists", "Domain-from-list"])
def test_every_domain_form_selects_the_same_records(client, domain):
    ids = client.search("product.product", domain, order="id asc")
    codes = [r["default_code"] for r in client.read("product.product", ids, ["default_code"])]
    assert codes and all(c.startswith("FURN_7") for c in codes), f"domain {domain!r} selected {codes}"
    assert {"FURN_7777", "FURN_7800", "FURN_7888"} <= set(codes)


def test_built_domains_filter_in_odoo(client):
    d = (field("default_code").eq_like("FURN_%") & (field("list_price") > 100)) & ~field("name").ilike("desk")
    rows = client.search_read("product.product", d, fields=["default_code", "list_price", "name"])
    assert rows, "some demo furniture costs more than 100 and is not a desk"
    for r in rows:
        assert r["default_code"].startswith("FURN_") and r["list_price"] > 100 and "desk" not in r["name"].lower(), r
    either = field("default_code") == "FURN_7777"
    either = either | (field("default_code") == "FURN_8888")
    assert sorted(client.search("product.product", either)) == [5, 6]


def test_decimal_values_in_a_domain(client):
    exact = client.search_count("product.product", [("list_price", ">=", 0)])
    assert client.search_count("product.product", field("list_price") >= decimal.Decimal("0")) == exact
    assert client.search_count("product.product", [("list_price", ">=", decimal.Decimal("0.00"))]) == exact
