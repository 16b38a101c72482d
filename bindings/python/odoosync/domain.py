"""Odoo domains from Python expressions: field("list_price") > 10 & field("sale_ok") == True.

Note Python's precedence: `&` and `|` bind tighter than comparisons, so parenthesise each condition:
(field("a") == 1) & (field("b") > 2). Values are sent as JSON (never pasted into text)."""

from decimal import Decimal


class Domain:
    """A domain in Odoo's prefix notation. Domain() matches every record; Domain([...]) takes Odoo's own
    list form ([("name", "=", "x")], with "&", "|", "!"). Combine with &, | and ~."""

    __slots__ = ("_items",)

    def __init__(self, items=None):
        if items is None:
            self._items = []
        elif isinstance(items, Domain):
            self._items = list(items._items)
        else:
            self._items = [list(i) if isinstance(i, tuple) else i for i in items]

    def to_list(self):
        """Odoo's JSON form, e.g. ['&', ['a', '=', 1], ['b', '>', 2]]."""
        return [list(i) if isinstance(i, list) else i for i in self._items]

    def __odoosync_json__(self):
        return [_json_value(i) if isinstance(i, list) else i for i in self._items]

    def _terms(self):
        """How many top-level terms (conditions joined implicitly by &) this domain holds."""
        n, need = 0, 1
        for i in self._items:
            if i in ("&", "|"):
                need += 1
            elif i == "!":
                pass
            else:
                need -= 1
                if need == 0:
                    n += 1
                    need = 1
        return n

    def _normalized(self):
        """The same domain as one term (implicit ands made explicit)."""
        n = self._terms()
        return ["&"] * (n - 1) + self._items if n > 1 else list(self._items)

    def __and__(self, other):
        other = Domain(other)
        if not self._items:
            return other
        if not other._items:
            return Domain(self)
        return Domain(["&"] + self._normalized() + other._normalized())

    def __or__(self, other):
        other = Domain(other)
        if not self._items or not other._items:
            return Domain()  # "every record" or anything: every record
        return Domain(["|"] + self._normalized() + other._normalized())

    def __invert__(self):
        if not self._items:
            raise ValueError("odoosync.Domain: the empty domain (every record) has no negation")
        return Domain(["!"] + self._normalized())

    def __bool__(self):
        return bool(self._items)

    def __eq__(self, other):
        if isinstance(other, Domain):
            return self.to_list() == other.to_list()
        if isinstance(other, list):
            return self.to_list() == Domain(other).to_list()
        return NotImplemented

    def __repr__(self):
        return f"Domain({self.to_list()!r})"


def _json_value(condition):
    return [v.__odoosync_json__() if hasattr(v, "__odoosync_json__") else v for v in condition]


class Field:
    """A field path ("partner_id.country_id.code") and its operators, each giving a Domain."""

    __slots__ = ("name",)

    def __init__(self, name):
        if not isinstance(name, str) or not name:
            raise ValueError("odoosync.field: a field name is a non-empty string")
        self.name = name

    def _cond(self, op, value):
        if isinstance(value, float) and value != value:
            raise ValueError(f"odoosync.field({self.name!r}) {op}: NaN has no JSON form")
        return Domain([[self.name, op, value]])

    def __eq__(self, value):
        return self._cond("=", value)

    def __ne__(self, value):
        return self._cond("!=", value)

    def __lt__(self, value):
        return self._cond("<", value)

    def __le__(self, value):
        return self._cond("<=", value)

    def __gt__(self, value):
        return self._cond(">", value)

    def __ge__(self, value):
        return self._cond(">=", value)

    __hash__ = None

    def in_(self, values):
        return self._cond("in", list(values))

    def not_in(self, values):
        return self._cond("not in", list(values))

    def like(self, pattern):
        return self._cond("like", pattern)

    def ilike(self, pattern):
        return self._cond("ilike", pattern)

    def not_like(self, pattern):
        return self._cond("not like", pattern)

    def not_ilike(self, pattern):
        return self._cond("not ilike", pattern)

    def eq_like(self, pattern):
        return self._cond("=like", pattern)

    def eq_ilike(self, pattern):
        return self._cond("=ilike", pattern)

    def child_of(self, record_id):
        return self._cond("child_of", record_id)

    def parent_of(self, record_id):
        return self._cond("parent_of", record_id)


def field(name):
    """field("name") == "x" -> Domain. See Field for every operator."""
    return Field(name)


__all__ = ["Domain", "Field", "field", "Decimal"]
