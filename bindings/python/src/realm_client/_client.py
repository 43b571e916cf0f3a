"""Client and AdminClient: Python objects over the realm_client and realm_admin handles."""

from __future__ import annotations

import json
import weakref
from ctypes import byref, c_void_p
from typing import Any, Dict, Mapping, Optional, Union, cast

from ._ffi import (
    CLIENT_OPTIONS,
    TRANSPORT_OPTIONS,
    Library,
    PathLike,
    encode_json_object,
    encode_opt_str,
    encode_str,
    options_json,
    resolve_library,
)
from ._status import Status
from .errors import ClientClosedError, GraphQLError, InvalidArgumentError, ProtocolError

LibraryArg = Union[None, Library, PathLike]


def raise_for_graphql_errors(envelope: Dict[str, Any]) -> Dict[str, Any]:
    """Returns ``envelope`` unchanged, or raises :class:`GraphQLError` when it has errors."""
    if envelope.get("errors"):
        raise GraphQLError(envelope)
    return envelope


class _Handle:
    """A library handle freed exactly once: by close(), or when garbage-collected."""

    _kind = "handle"

    def _init_handle(self, lib: Library, handle: int, free: Any) -> None:
        self._lib = lib
        self._handle: Optional[int] = handle
        # The finalizer holds the free function and the id, not self; it runs at most once.
        self._finalizer = weakref.finalize(self, free, handle)

    def _h(self) -> int:
        handle = self._handle
        if handle is None:
            raise ClientClosedError(
                f"this {self._kind} is closed", status=Status.INVALID_ARGUMENT
            )
        return handle

    def _call(self, fn: Any, *args: Any) -> Any:
        try:
            return fn(self._h(), *args)
        except InvalidArgumentError:
            # Closed by another thread while the call was being made: say so plainly.
            if self._handle is None:
                raise ClientClosedError(
                    f"this {self._kind} was closed during the call",
                    status=Status.INVALID_ARGUMENT,
                ) from None
            raise

    def _out_string(self, fn: Any, *args: Any) -> str:
        return cast(str, self._call(lambda h, *a: self._lib.call_out_string(fn, h, *a), *args))

    def _out_json(self, fn: Any, *args: Any) -> Any:
        return self._call(lambda h, *a: self._lib.call_out_json(fn, h, *a), *args)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        """Releases the handle (its secrets are wiped). Safe to call more than once."""
        self._handle = None
        self._finalizer()

    def __enter__(self) -> Any:
        self._h()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Client(_Handle):
    """An App Services client for one app.

    ``Client("myapp-abcde", base_url="http://127.0.0.1:8080")``. The keyword options are those
    of ``realm_client_new``'s options JSON: ``base_url``, ``connect_timeout_ms``,
    ``request_timeout_ms``, ``user_agent``, ``app_name``, ``app_version``, ``ca_file``,
    ``platform_trust_store``, ``allow_insecure_http``, ``max_response_bytes``,
    ``max_redirects``, ``auto_relogin``, ``skip_location``; options left as None take the
    library's defaults. ``library`` selects the shared library (a path or a
    :class:`Library`); by default it is found as :func:`realm_client.find_library` says.

    No network I/O happens here. One client may be used from many threads at once: each call
    releases the GIL while the library works, and token refresh is single-flight.
    Use it as a context manager, or call :meth:`close`; otherwise it is freed when
    garbage-collected.
    """

    _kind = "client"

    def __init__(
        self,
        app_id: str,
        *,
        base_url: Optional[str] = None,
        connect_timeout_ms: Optional[int] = None,
        request_timeout_ms: Optional[int] = None,
        user_agent: Optional[str] = None,
        app_name: Optional[str] = None,
        app_version: Optional[str] = None,
        ca_file: Optional[PathLike] = None,
        platform_trust_store: Optional[bool] = None,
        allow_insecure_http: Optional[bool] = None,
        max_response_bytes: Optional[int] = None,
        max_redirects: Optional[int] = None,
        auto_relogin: Optional[bool] = None,
        skip_location: Optional[bool] = None,
        library: LibraryArg = None,
    ) -> None:
        self._handle = None
        app = encode_str(app_id, "app_id")
        opts = options_json(
            {
                "base_url": base_url,
                "connect_timeout_ms": connect_timeout_ms,
                "request_timeout_ms": request_timeout_ms,
                "user_agent": user_agent,
                "app_name": app_name,
                "app_version": app_version,
                "ca_file": ca_file,
                "platform_trust_store": platform_trust_store,
                "allow_insecure_http": allow_insecure_http,
                "max_response_bytes": max_response_bytes,
                "max_redirects": max_redirects,
                "auto_relogin": auto_relogin,
                "skip_location": skip_location,
            },
            CLIENT_OPTIONS,
        )
        lib = resolve_library(library)
        out = c_void_p()
        lib.realm_client_new(app, opts, byref(out))
        if not out.value:
            raise ProtocolError("realm_client_new gave no handle", status=Status.INTERNAL)
        self.app_id = app_id
        self._init_handle(lib, out.value, lib.realm_free)

    # ---- logins ----------------------------------------------------------------------------

    def login(self, provider: str, credentials: Mapping[str, Any]) -> None:
        """Logs in with any provider by name (e.g. ``"oauth2-google"``) and its body fields."""
        p = encode_str(provider, "provider")
        c = encode_json_object(credentials, "credentials")
        self._call(self._lib.realm_login, p, c)

    def login_anonymous(self) -> None:
        """Logs in anonymously (reuses the anonymous user already logged in, if any)."""
        self._call(self._lib.realm_login_anonymous)

    def login_email_password(self, email: str, password: str) -> None:
        """Logs in with the email/password provider (``local-userpass``)."""
        e = encode_str(email, "email")
        p = encode_str(password, "password")
        self._call(self._lib.realm_login_email_password, e, p)

    def login_api_key(self, api_key: str) -> None:
        """Logs in with a user or server API key."""
        k = encode_str(api_key, "api_key")
        self._call(self._lib.realm_login_api_key, k)

    def login_custom_jwt(self, jwt: str) -> None:
        """Logs in with a custom JWT (the ``custom-token`` provider)."""
        t = encode_str(jwt, "jwt")
        self._call(self._lib.realm_login_custom_jwt, t)

    def login_custom_function(self, payload: Mapping[str, Any]) -> None:
        """Logs in with the ``custom-function`` provider; ``payload`` goes to the function."""
        p = encode_json_object(payload, "payload")
        self._call(self._lib.realm_login_custom_function, p)

    def login_google(self, *, id_token: Optional[str] = None, auth_code: Optional[str] = None) -> None:
        """Logs in with Google: exactly one of ``id_token`` or ``auth_code``."""
        if (id_token is None) == (auth_code is None):
            raise TypeError("login_google takes exactly one of id_token or auth_code")
        if id_token is not None:
            self.login("oauth2-google", {"id_token": _checked(id_token, "id_token")})
        else:
            self.login("oauth2-google", {"authCode": _checked(auth_code, "auth_code")})

    def login_apple(self, id_token: str) -> None:
        """Logs in with Sign in with Apple's ID token."""
        self.login("oauth2-apple", {"id_token": _checked(id_token, "id_token")})

    def login_facebook(self, access_token: str) -> None:
        """Logs in with a Facebook access token."""
        self.login("oauth2-facebook", {"accessToken": _checked(access_token, "access_token")})

    # ---- session -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Gets a new access token now (requests refresh on their own; rarely needed).

        Raises :class:`SessionExpiredError` (and ends the session) when the refresh token is
        rejected.
        """
        self._call(self._lib.realm_refresh)

    def logout(self) -> None:
        """Clears the local session, then revokes it on the server. Not logged in is fine."""
        self._call(self._lib.realm_logout)

    @property
    def is_logged_in(self) -> bool:
        """True when a user is logged in (no I/O; False once closed)."""
        handle = self._handle
        return handle is not None and bool(self._lib.realm_is_logged_in(handle))

    def user_id(self) -> str:
        """The logged-in user's id."""
        return self._out_string(self._lib.realm_user_id)

    def user_info(self) -> Dict[str, Any]:
        """What is known of the user: ``id``, ``device_id``, ``provider``, ``profile``,
        ``claims``, ``custom_data``, ``access_token_expires_at``, ``access_token_expires_in_ms``."""
        return cast(Dict[str, Any], self._out_json(self._lib.realm_user_json))

    def access_token(self) -> str:
        """The current access token, for calling other services (no I/O)."""
        return self._out_string(self._lib.realm_access_token)

    def export_session(self) -> str:
        """A versioned JSON blob with the refresh token, for :meth:`restore_session` later.

        It is a secret: keep it in a keychain or another protected store.
        """
        return self._out_string(self._lib.realm_session_export)

    def restore_session(self, blob: str) -> None:
        """Installs a session from :meth:`export_session`'s blob, without I/O."""
        b = encode_str(blob, "blob")
        self._call(self._lib.realm_session_restore, b)

    # ---- GraphQL -------------------------------------------------------------------------------

    def graphql(
        self,
        query: str,
        variables: Optional[Mapping[str, Any]] = None,
        operation_name: Optional[str] = None,
        *,
        raise_on_errors: bool = False,
    ) -> Dict[str, Any]:
        """Runs a GraphQL operation and returns the parsed response envelope
        (``{"data": ..., "errors": [...]}``).

        GraphQL errors are data, not a failure, unless ``raise_on_errors`` is true: then an
        envelope with errors raises :class:`GraphQLError` (see also
        :func:`raise_for_graphql_errors`).
        """
        q = encode_str(query, "query")
        v = None if variables is None else encode_json_object(variables, "variables")
        op = encode_opt_str(operation_name, "operation_name")
        envelope = self._out_json(self._lib.realm_graphql, q, v, op)
        if not isinstance(envelope, dict):
            raise ProtocolError(
                "the GraphQL response is not a JSON object", status=Status.PROTOCOL
            )
        if raise_on_errors:
            raise_for_graphql_errors(envelope)
        return envelope

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("logged in" if self.is_logged_in else "logged out")
        return f"<realm_client.Client app_id={self.app_id!r} {state}>"


class AdminClient(_Handle):
    """An Admin API client that verifies client access tokens (for backends only: it holds
    Admin API keys).

    ``group_id`` is the project id and ``app_id`` the app's internal id (not the client App
    ID). The other keyword options are the transport options of :class:`Client`. No I/O
    happens here: the admin login happens on first use, and the admin token is renewed when
    it expires. Safe to share across threads.
    """

    _kind = "admin client"

    def __init__(
        self,
        *,
        public_api_key: str,
        private_api_key: str,
        group_id: str,
        app_id: str,
        base_url: Optional[str] = None,
        connect_timeout_ms: Optional[int] = None,
        request_timeout_ms: Optional[int] = None,
        user_agent: Optional[str] = None,
        ca_file: Optional[PathLike] = None,
        platform_trust_store: Optional[bool] = None,
        allow_insecure_http: Optional[bool] = None,
        max_response_bytes: Optional[int] = None,
        max_redirects: Optional[int] = None,
        library: LibraryArg = None,
    ) -> None:
        self._handle = None
        for name, value in (
            ("public_api_key", public_api_key),
            ("private_api_key", private_api_key),
            ("group_id", group_id),
            ("app_id", app_id),
        ):
            encode_str(value, name)
        transport = options_json(
            {
                "base_url": base_url,
                "connect_timeout_ms": connect_timeout_ms,
                "request_timeout_ms": request_timeout_ms,
                "user_agent": user_agent,
                "ca_file": ca_file,
                "platform_trust_store": platform_trust_store,
                "allow_insecure_http": allow_insecure_http,
                "max_response_bytes": max_response_bytes,
                "max_redirects": max_redirects,
            },
            TRANSPORT_OPTIONS,
        )
        opts: Dict[str, Any] = json.loads(transport) if transport else {}
        opts.update(
            public_api_key=public_api_key,
            private_api_key=private_api_key,
            group_id=group_id,
            app_id=app_id,
        )
        lib = resolve_library(library)
        out = c_void_p()
        lib.realm_admin_new(json.dumps(opts, ensure_ascii=False).encode("utf-8"), byref(out))
        if not out.value:
            raise ProtocolError("realm_admin_new gave no handle", status=Status.INTERNAL)
        self.group_id = group_id
        self.app_id = app_id
        self._init_handle(lib, out.value, lib.realm_admin_free)

    def verify_token(self, access_token: str) -> Dict[str, Any]:
        """Verifies a client access token; returns its claims (``sub``, ``exp``, ``iat``,
        ``iss``, ``domain_id``, ``device_id``, ``custom_user_data``...).

        Raises :class:`TokenExpiredError`, :class:`InvalidTokenError`, or
        :class:`InvalidCredentialsError` when the admin keys are refused.
        """
        t = encode_str(access_token, "access_token")
        return cast(Dict[str, Any], self._out_json(self._lib.realm_admin_verify_token, t))

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<realm_client.AdminClient group_id={self.group_id!r} app_id={self.app_id!r} {state}>"


def _checked(value: Any, name: str) -> str:
    encode_str(value, name)  # TypeError unless str
    return cast(str, value)


def library_version(library: LibraryArg = None) -> str:
    """The shared library's version, e.g. ``"0.1.0"``."""
    return resolve_library(library).version


def status_name(status: int, library: LibraryArg = None) -> str:
    """The library's name of a status code, e.g. ``"SESSION_EXPIRED"``."""
    return resolve_library(library).status_name(status)


__all__ = ["Client", "AdminClient", "raise_for_graphql_errors", "library_version", "status_name"]
