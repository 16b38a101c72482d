"""Exact money and quantities over decimal.Decimal: never binary floating point."""

from decimal import Decimal

from . import _odoosync


def _decimal_text(value, what):
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"odoosync.{what}: use decimal.Decimal, str or int, never float ({value!r})")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"odoosync.{what}: {value} is not a finite number")
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"odoosync.{what}: expected decimal.Decimal, str or int, got {type(value).__name__}")


class Money:
    """An amount in an ISO 4217 currency, held in the currency's minor units.

    Money(Decimal("12.50"), "EUR"), Money("12.5", "EUR"), Money(1200, "JPY"). More decimals than the
    currency has (EUR 2, JPY 0, KWD 3) or an unknown currency raise InvalidInput."""

    __slots__ = ("_minor", "_amount", "_currency", "_exponent")

    def __init__(self, amount, currency):
        minor, text, exponent = _odoosync._money(_decimal_text(amount, "Money"), currency)
        self._minor, self._amount, self._currency, self._exponent = minor, text, currency, exponent

    @property
    def amount(self):
        """The amount as a Decimal with the currency's decimals: Decimal('12.50')."""
        return Decimal(self._amount)

    @property
    def currency(self):
        return self._currency

    @property
    def minor_units(self):
        """The amount in minor units (cents): 1250 for 12.50 EUR."""
        return self._minor

    def __odoosync_json__(self):
        return {"amount": self._amount, "currency": self._currency}

    def __eq__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        return self._minor == other._minor and self._currency == other._currency

    def __hash__(self):
        return hash((self._minor, self._currency))

    def __str__(self):
        return f"{self._amount} {self._currency}"

    def __repr__(self):
        return f"Money({self._amount!r}, {self._currency!r})"


class Quantity:
    """A quantity with its unit of measure, exact to six decimals: Quantity(Decimal("2.5"), "kg")."""

    __slots__ = ("_value", "_uom")

    def __init__(self, value, uom="Units"):
        self._value = _odoosync._quantity(_decimal_text(value, "Quantity"), uom)
        self._uom = uom

    @property
    def value(self):
        return Decimal(self._value)

    @property
    def uom(self):
        return self._uom

    def __odoosync_json__(self):
        return {"value": self._value, "uom": self._uom}

    def __eq__(self, other):
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.value == other.value and self._uom == other._uom

    def __hash__(self):
        return hash((self.value, self._uom))

    def __str__(self):
        return f"{self._value} {self._uom}"

    def __repr__(self):
        return f"Quantity({self._value!r}, {self._uom!r})"
