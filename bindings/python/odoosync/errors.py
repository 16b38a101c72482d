"""The exceptions odoosync raises: one hierarchy under odoosync.Error, by error kind and by Odoo's
exception class. Every one carries kind, odoo_class, message, retryable, outcome_unknown, http_status
and correlation_id; str() is the one-line form (kind, detail, message), never with a secret."""


class Error(Exception):
    """An odoosync error. `kind` is one of transport, http, protocol, auth, odoo, not_found, validation,
    conflict, storage, cancelled, backpressure. `retryable`: the same call may succeed later.
    `outcome_unknown`: the request may have been applied (probe before repeating a write)."""

    def __init__(self, text="", *, kind="", odoo_class="", message="", retryable=False, outcome_unknown=False,
                 http_status=0, correlation_id=""):
        super().__init__(text or message)
        self.kind = kind
        self.odoo_class = odoo_class
        self.message = message or text
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown
        self.http_status = http_status
        self.correlation_id = correlation_id


class TransportError(Error):
    """Connect, DNS, TLS, reset, timeout: no complete answer came back."""


class HttpError(Error):
    """An HTTP status the protocol did not expect (502, 503, 504, 429...)."""


class ProtocolError(Error):
    """A malformed or unexpected answer, or one above the size and depth limits."""


class AuthError(Error):
    """Bad credentials, an expired session, a revoked or expired API key."""


class AccessDenied(AuthError):
    """odoo.exceptions.AccessDenied: the login or API key was refused."""


class OdooError(Error):
    """A server-side exception; odoo_class names it."""


class ValidationError(OdooError):
    """odoo.exceptions.ValidationError (also a `load` that refused rows)."""


class AccessError(OdooError):
    """odoo.exceptions.AccessError: the user may not do this."""


class MissingError(OdooError):
    """odoo.exceptions.MissingError: the record does not exist (any more)."""


class UserError(OdooError):
    """odoo.exceptions.UserError: a business rule refused the operation."""


class NotFoundError(Error):
    """A record, model, method, SKU or location that does not exist (not an Odoo exception)."""


class InvalidInput(Error, ValueError):
    """Bad input rejected before anything was sent or stored (an invalid event, a bad option)."""


class ConflictError(Error):
    """A concurrent update: a serialization failure, a lock, a lease held by another worker."""


class StorageError(Error):
    """The local store failed (SQLite file unreadable, newer schema, disk full)."""


class CancelledError(Error):
    """The caller cancelled the call."""


class BackpressureError(Error):
    """A lane holds more unsettled events than its high-water mark: submit again later."""


_BY_KIND = {
    "transport": TransportError,
    "http": HttpError,
    "protocol": ProtocolError,
    "auth": AuthError,
    "odoo": OdooError,
    "not_found": NotFoundError,
    "validation": InvalidInput,
    "conflict": ConflictError,
    "storage": StorageError,
    "cancelled": CancelledError,
    "backpressure": BackpressureError,
}

_BY_ODOO_CLASS = (
    ("AccessDenied", AccessDenied),
    ("ValidationError", ValidationError),
    ("AccessError", AccessError),
    ("MissingError", MissingError),
    ("UserError", UserError),
)


def _class_for(kind, odoo_class):
    for suffix, cls in _BY_ODOO_CLASS:
        if odoo_class.endswith(suffix):
            if cls is AccessDenied or kind in ("odoo", "not_found", "validation", "conflict", "auth"):
                return cls
    return _BY_KIND.get(kind, Error)


def _from_native(kind, odoo_class, message, text, retryable, outcome_unknown, http_status, correlation_id):
    """Called by the C++ core: the exception instance for one odoosync::Error."""
    cls = _class_for(kind, odoo_class)
    return cls(text, kind=kind, odoo_class=odoo_class, message=message, retryable=retryable,
               outcome_unknown=outcome_unknown, http_status=http_status, correlation_id=correlation_id)
