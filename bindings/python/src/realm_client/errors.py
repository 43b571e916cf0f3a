"""Exceptions raised by the binding.

Every failure of a library call raises a subclass of :class:`RealmError`, chosen by the call's
status code (see :data:`ERROR_CLASSES`). The classes group the cases a caller handles
differently: fix the arguments (:class:`InvalidArgumentError`), ask the user again
(:class:`InvalidCredentialsError`), log in again (:class:`LoginRequiredError`), retry later
(:class:`NetworkError`, :class:`ServerError`, :class:`RateLimitedError`), or report a bug
(:class:`ProtocolError`, :class:`InternalError`).

Problems with the shared library itself (not found, wrong ABI) raise :class:`LibraryError`,
which is not a :class:`RealmError`: no library call was made.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

from ._status import Status, status_name_of

__all__ = [
    "RealmError",
    "InvalidArgumentError",
    "ClientClosedError",
    "LoginRequiredError",
    "NotLoggedInError",
    "SessionExpiredError",
    "InvalidCredentialsError",
    "TokenVerificationError",
    "InvalidTokenError",
    "TokenExpiredError",
    "HttpError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitedError",
    "ServerError",
    "NetworkError",
    "RequestTimeoutError",
    "TlsError",
    "ProtocolError",
    "ResponseTooLargeError",
    "InternalError",
    "PanicError",
    "GraphQLError",
    "LibraryError",
    "LibraryNotFoundError",
    "AbiMismatchError",
    "ERROR_CLASSES",
    "error_for_status",
]


class RealmError(Exception):
    """A failed library call.

    Attributes:
        status: the status code (``realm_status``), e.g. ``Status.SESSION_EXPIRED`` (12).
        status_name: its name, e.g. ``"SESSION_EXPIRED"``.
        message: the library's description (never contains a password, key or token).
        http_status: the HTTP status of the server's answer, 0 when there was none.
        server_code: the server's ``error_code`` (e.g. ``"InvalidSession"``), or ``""``.
        link: the server's link to its log entry, or ``""``.
    """

    status: int
    status_name: str
    message: str
    http_status: int
    server_code: str
    link: str

    def __init__(
        self,
        message: str,
        *,
        status: int,
        status_name: Optional[str] = None,
        http_status: int = 0,
        server_code: str = "",
        link: str = "",
    ) -> None:
        super().__init__(message)
        self.status = int(status)
        self.status_name = status_name if status_name is not None else status_name_of(status)
        self.message = message
        self.http_status = http_status
        self.server_code = server_code
        self.link = link

    def _kwargs(self) -> Dict[str, Any]:
        return {
            "status": self.status,
            "status_name": self.status_name,
            "http_status": self.http_status,
            "server_code": self.server_code,
            "link": self.link,
        }

    def __reduce__(self) -> Any:
        # Keyword-only arguments are not restored by BaseException's default pickling.
        return (_rebuild, (type(self), self.message, self._kwargs()))

    def __str__(self) -> str:
        text = f"{self.status_name}: {self.message}"
        extra = []
        if self.http_status:
            extra.append(f"HTTP {self.http_status}")
        if self.server_code:
            extra.append(self.server_code)
        if extra:
            text += f" ({', '.join(extra)})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status}, "
            f"http_status={self.http_status}, server_code={self.server_code!r})"
        )


def _rebuild(cls: Type[RealmError], message: str, kwargs: Dict[str, Any]) -> RealmError:
    err = cls.__new__(cls)
    RealmError.__init__(err, message, **kwargs)
    return err


class InvalidArgumentError(RealmError, ValueError):
    """A bad argument: malformed JSON, unknown option, a foreign session blob, a freed handle."""


class ClientClosedError(InvalidArgumentError):
    """The client (or admin client) was closed; raised before any library call."""


class LoginRequiredError(RealmError):
    """There is no usable session: log in (again)."""


class NotLoggedInError(LoginRequiredError):
    """The operation needs a logged-in user."""


class SessionExpiredError(LoginRequiredError):
    """The refresh token was rejected and the session cleared: log in again."""


class InvalidCredentialsError(RealmError):
    """The server rejected the login credentials (or, for the admin client, the API keys)."""


class TokenVerificationError(RealmError):
    """Admin verify: the client token is not acceptable."""


class InvalidTokenError(TokenVerificationError):
    """Admin verify: the client token is malformed or its signature is invalid."""


class TokenExpiredError(TokenVerificationError):
    """Admin verify: the client token has expired."""


class HttpError(RealmError):
    """An HTTP status the library has no more specific meaning for."""


class ForbiddenError(HttpError):
    """HTTP 403."""


class NotFoundError(HttpError):
    """HTTP 404: unknown app, provider or route."""


class RateLimitedError(HttpError):
    """HTTP 429: retry later."""


class ServerError(HttpError):
    """HTTP 5xx: the server failed; retry later."""


class NetworkError(RealmError):
    """DNS, connect, reset or other I/O failure; retry later."""


class RequestTimeoutError(NetworkError):
    """A configured timeout (connect_timeout_ms or request_timeout_ms) elapsed."""


class TlsError(NetworkError):
    """TLS handshake or certificate failure."""


class ProtocolError(RealmError):
    """An unparseable or unexpected response body."""


class ResponseTooLargeError(ProtocolError):
    """The response body is larger than the configured max_response_bytes."""


class InternalError(RealmError):
    """A bug in the library (or an unknown failure); read the message."""


class PanicError(InternalError):
    """An internal bug was caught; the handle is unusable, close it."""


class GraphQLError(RealmError):
    """The GraphQL response carried errors (raised only on request).

    The call itself succeeded, so ``status`` is ``Status.OK`` (0). ``errors`` is the list of
    GraphQL error objects, ``data`` the (possibly partial) data and ``envelope`` the whole
    response.
    """

    errors: List[Any]
    data: Any
    envelope: Dict[str, Any]

    def __init__(self, envelope: Dict[str, Any]) -> None:
        errors = envelope.get("errors") or []
        messages = [
            str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors
        ]
        super().__init__(
            "; ".join(messages) or "GraphQL errors",
            status=Status.OK,
            status_name="GRAPHQL_ERRORS",
        )
        self.errors = list(errors)
        self.data = envelope.get("data")
        self.envelope = envelope

    def __reduce__(self) -> Any:
        return (GraphQLError, (self.envelope,))


ERROR_CLASSES: Dict[int, Type[RealmError]] = {
    Status.INVALID_ARGUMENT: InvalidArgumentError,
    Status.PANIC: PanicError,
    Status.NOT_LOGGED_IN: NotLoggedInError,
    Status.INVALID_CREDENTIALS: InvalidCredentialsError,
    Status.SESSION_EXPIRED: SessionExpiredError,
    Status.FORBIDDEN: ForbiddenError,
    Status.INVALID_TOKEN: InvalidTokenError,
    Status.TOKEN_EXPIRED: TokenExpiredError,
    Status.NOT_FOUND: NotFoundError,
    Status.RATE_LIMITED: RateLimitedError,
    Status.HTTP: HttpError,
    Status.SERVER: ServerError,
    Status.NETWORK: NetworkError,
    Status.TIMEOUT: RequestTimeoutError,
    Status.TLS: TlsError,
    Status.PROTOCOL: ProtocolError,
    Status.RESPONSE_TOO_LARGE: ResponseTooLargeError,
    Status.INTERNAL: InternalError,
}
"""The exception class raised for each status code; unknown codes raise :class:`RealmError`."""


def error_for_status(
    status: int,
    message: str,
    *,
    status_name: Optional[str] = None,
    http_status: int = 0,
    server_code: str = "",
    link: str = "",
) -> RealmError:
    """The exception for a failed call's status and error detail."""
    cls = ERROR_CLASSES.get(status, RealmError)
    return cls(
        message,
        status=status,
        status_name=status_name,
        http_status=http_status,
        server_code=server_code,
        link=link,
    )


class LibraryError(RuntimeError):
    """The shared library could not be used: not found, not loadable, or of another ABI."""


class LibraryNotFoundError(LibraryError):
    """No shared library was found; ``searched`` lists ``(source, path)`` of every place tried."""

    searched: List[Tuple[str, str]]

    def __init__(self, searched: Sequence[Tuple[str, str]], hint: str = "") -> None:
        self.searched = list(searched)
        lines = [f"  {source}: {path}" for source, path in self.searched]
        text = "realm-client shared library not found; looked in:\n" + "\n".join(lines)
        if hint:
            text += "\n" + hint
        super().__init__(text)


class AbiMismatchError(LibraryError):
    """The library's ``realm_client_abi_version()`` is not the one this binding was written for."""

    found: int
    expected: int
    path: str

    def __init__(self, path: str, found: int, expected: int) -> None:
        self.path = path
        self.found = found
        self.expected = expected
        super().__init__(
            f"{path} has ABI version {found}, but this realm_client package was written for "
            f"ABI version {expected}: install the package version that matches the library, "
            f"or point REALM_CLIENT_LIBRARY at a matching library"
        )
