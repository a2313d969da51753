"""The exception hierarchy: one class per error family of the core.

The classes are defined here rather than in the extension because an abi3
extension cannot subclass exceptions; the native module asks
``_from_native`` for the instance to raise. Every exception carries the
core's stable ``kind`` (snake_case name) and ``code`` (the number the C ABI
returns as ``lc_status``), and the ``detail`` saying where it went wrong.
"""

from __future__ import annotations

from ._native import error_kinds


class LicenseError(Exception):
    """Base of every error raised by license_core."""

    kind: str
    code: int
    detail: str

    def __init__(self, message: str, *, kind: str, code: int, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.detail = detail

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, kind={self.kind!r}, code={self.code})"


class InvalidInputError(LicenseError, ValueError):
    """A value given to a builder or constructor is invalid (1xx)."""


class FormatError(LicenseError, ValueError):
    """A document or file is malformed (2xx)."""


class SignatureError(LicenseError):
    """A signature or signing key is missing, unknown, weak or wrong (3xx)."""


class StoreError(LicenseError):
    """A license cannot be installed or the store is unusable (4xx)."""


class ExpiredError(LicenseError):
    """A license, key or bundle has expired."""


class BindingError(LicenseError):
    """Bound to another product, instance or machine."""


class CountError(LicenseError):
    """The certificate inventory or an id-set format (5xx)."""


class InstanceError(LicenseError):
    """A server instance or hardware profile value (55x)."""


class LicenseKeyError(LicenseError):
    """License keys, key bundles and the vendor account (6xx)."""


class LicenseIOError(LicenseError):
    """A file could not be read or written, or a document rendered (9xx)."""


#: The exception class of each core error family.
FAMILIES: dict[str, type[LicenseError]] = {
    "Invalid": InvalidInputError,
    "Format": FormatError,
    "Signature": SignatureError,
    "Store": StoreError,
    "Expired": ExpiredError,
    "Binding": BindingError,
    "Count": CountError,
    "Instance": InstanceError,
    "Key": LicenseKeyError,
    "Io": LicenseIOError,
}


class ErrorKind:
    """One error kind of the core: stable code, name, family, message."""

    __slots__ = ("code", "name", "family", "message")

    def __init__(self, code: int, name: str, family: str, message: str) -> None:
        self.code = code
        self.name = name
        self.family = family
        self.message = message

    @property
    def exception(self) -> type[LicenseError]:
        """The exception class raised for this kind."""
        return FAMILIES[self.family]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ErrorKind) and other.code == self.code

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"ErrorKind(code={self.code}, name={self.name!r}, family={self.family!r})"


#: Every error kind, by code (taken from the core, so it cannot drift).
ERROR_KINDS: dict[int, ErrorKind] = {
    code: ErrorKind(code, name, family, message) for code, name, family, message in error_kinds()
}


# Called by the native module (errors.rs) to build the exception it raises.
def _from_native(  # pyright: ignore[reportUnusedFunction]
    family: str, kind: str, code: int, message: str, detail: str
) -> LicenseError:
    cls = FAMILIES.get(family, LicenseError)
    return cls(message, kind=kind, code=code, detail=detail)
