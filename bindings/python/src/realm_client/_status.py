"""The status codes of include/realm_client.h (REALM_OK, REALM_ERR_*), as an IntEnum."""

from __future__ import annotations

import enum


class Status(enum.IntEnum):
    """``realm_status`` values; the names are those of ``realm_status_name()``."""

    OK = 0
    INVALID_ARGUMENT = 1
    PANIC = 2
    NOT_LOGGED_IN = 10
    INVALID_CREDENTIALS = 11
    SESSION_EXPIRED = 12
    FORBIDDEN = 13
    INVALID_TOKEN = 14
    TOKEN_EXPIRED = 15
    NOT_FOUND = 20
    RATE_LIMITED = 21
    HTTP = 22
    SERVER = 23
    NETWORK = 30
    TIMEOUT = 31
    TLS = 32
    PROTOCOL = 33
    RESPONSE_TOO_LARGE = 34
    INTERNAL = 99


def status_name_of(status: int) -> str:
    """The name of a status code without calling the library; "UNKNOWN" for unknown values."""
    try:
        return Status(status).name
    except ValueError:
        return "UNKNOWN"
