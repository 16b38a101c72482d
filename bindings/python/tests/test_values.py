"""Money and Quantity: exact decimals that interoperate with decimal.Decimal and never go through float."""

from __future__ import annotations

from decimal import Decimal

import pytest

import odoosync
from odoosync import Money, Quantity


# ------------------------------------------------------------------------------------------ Money


@pytest.mark.parametrize("amount", ["12.5", "12.50", Decimal("12.5"), Decimal("12.50")])
def test_money_from_str_or_decimal_is_exact(amount):
    m = Money(amount, "EUR")
    assert isinstance(m.amount, Decimal), f"Money.amount should be a Decimal, got {type(m.amount).__name__}"
    assert m.amount == Decimal("12.50")
    assert m.currency == "EUR"
    assert m.minor_units == 1250 and type(m.minor_units) is int
    assert str(m) == "12.50 EUR", f"str(Money) writes the currency's decimals: {str(m)!r}"


def test_money_from_int():
    m = Money(12, "EUR")
    assert m.amount == Decimal("12") and m.minor_units == 1200 and str(m) == "12.00 EUR"


def test_money_currency_exponents_jpy_0_kwd_3():
    jpy = Money(1500, "JPY")
    assert jpy.minor_units == 1500 and str(jpy) == "1500 JPY"
    kwd = Money("1.234", "KWD")
    assert kwd.minor_units == 1234 and str(kwd) == "1.234 KWD"


def test_money_amounts_add_exactly_as_decimals():
    total = Money("0.10", "EUR").amount + Money("0.20", "EUR").amount
    assert total == Decimal("0.30"), f"Decimal arithmetic on amounts is exact, got {total!r}"
    assert Money(total, "EUR") == Money("0.3", "EUR")


def test_money_large_amounts_are_exact_beyond_float_precision():
    m = Money("9999999999999999.99", "EUR")   # 10^18 - 1 minor units: a double cannot hold this
    assert m.minor_units == 999_999_999_999_999_999
    assert m.amount == Decimal("9999999999999999.99")
    assert str(m) == "9999999999999999.99 EUR"


def test_money_equality():
    assert Money("12.5", "EUR") == Money(Decimal("12.50"), "EUR")
    assert Money("12.50", "EUR") != Money("12.50", "USD"), "same amount, different currency"
    assert Money("12.50", "EUR") != Money("12.51", "EUR")


def test_negative_money_amount():
    m = Money("-3.10", "EUR")
    assert m.amount == Decimal("-3.10") and m.minor_units == -310


def test_money_too_many_decimals_is_invalid_input():
    with pytest.raises(odoosync.InvalidInput) as info:
        Money("1.234", "EUR")
    assert "has 3 decimal places; EUR allows 2" in str(info.value), str(info.value)
    assert info.value.kind == "validation"
    with pytest.raises(odoosync.InvalidInput, match="JPY allows 0"):
        Money("1.5", "JPY")


def test_money_unknown_currency_is_invalid_input():
    with pytest.raises(odoosync.InvalidInput, match='unknown currency "XYZ"'):
        Money("1.00", "XYZ")


def test_money_bad_decimal_text_is_invalid_input():
    with pytest.raises(odoosync.InvalidInput):
        Money("12,50", "EUR")
    with pytest.raises(ValueError):           # InvalidInput is also a ValueError
        Money("abc", "EUR")


def test_money_refuses_float():
    with pytest.raises(TypeError):
        Money(12.5, "EUR")


# ------------------------------------------------------------------------------------------ Quantity


def test_quantity_defaults_to_units_and_is_a_decimal():
    q = Quantity("2.5")
    assert isinstance(q.value, Decimal) and q.value == Decimal("2.5")
    assert q.uom == "Units"


@pytest.mark.parametrize("value, expected", [
    (3, Decimal(3)), (-2, Decimal(-2)), ("0.000001", Decimal("0.000001")), (Decimal("62.500"), Decimal("62.5")),
    ("999999999999.999999", Decimal("999999999999.999999")),
])
def test_quantity_values_are_exact(value, expected):
    assert Quantity(value, "kg").value == expected


def test_quantity_uom():
    assert Quantity("62.5", "kg").uom == "kg"


def test_quantity_equality():
    assert Quantity("2.50") == Quantity(Decimal("2.5"))
    assert Quantity("2.5", "kg") != Quantity("2.5", "Units")


def test_quantity_more_than_6_decimals_is_invalid_input():
    with pytest.raises(odoosync.InvalidInput, match="has 7 decimal places; at most 6 allowed"):
        Quantity("1.1234567")


def test_quantity_out_of_range_is_invalid_input():
    with pytest.raises(odoosync.InvalidInput):
        Quantity("1000000000000")


def test_quantity_refuses_float():
    with pytest.raises(TypeError):
        Quantity(1.5)
