"""Every exception class, raised for real against the emulator where it can be, and the
TypeError for non-str arguments before any library call."""

from __future__ import annotations

import pickle
import socket

import pytest

import realm_client
from realm_client import Client, Status
from conftest import (
    APP_ID,
    DEMO_USER_ID,
    EMAIL,
    PASSWORD,
    REFRESH,
    login_path,
)

GRAPHQL_PATH = f"/api/client/v2.0/app/{APP_ID}/graphql"
LOGIN_PATH = f"/api/client/v2.0/app/{APP_ID}/auth/providers/local-userpass/login"
MOVIES = "query { movies(limit: 1) { title } }"


def test_the_class_of_every_status():
    expected = {
        Status.INVALID_ARGUMENT: realm_client.InvalidArgumentError,
        Status.PANIC: realm_client.PanicError,
        Status.NOT_LOGGED_IN: realm_client.NotLoggedInError,
        Status.INVALID_CREDENTIALS: realm_client.InvalidCredentialsError,
        Status.SESSION_EXPIRED: realm_client.SessionExpiredError,
        Status.FORBIDDEN: realm_client.ForbiddenError,
        Status.INVALID_TOKEN: realm_client.InvalidTokenError,
        Status.TOKEN_EXPIRED: realm_client.TokenExpiredError,
        Status.NOT_FOUND: realm_client.NotFoundError,
        Status.RATE_LIMITED: realm_client.RateLimitedError,
        Status.HTTP: realm_client.HttpError,
        Status.SERVER: realm_client.ServerError,
        Status.NETWORK: realm_client.NetworkError,
        Status.TIMEOUT: realm_client.RequestTimeoutError,
        Status.TLS: realm_client.TlsError,
        Status.PROTOCOL: realm_client.ProtocolError,
        Status.RESPONSE_TOO_LARGE: realm_client.ResponseTooLargeError,
        Status.INTERNAL: realm_client.InternalError,
    }
    assert set(expected) == set(Status) - {Status.OK}
    for status, cls in expected.items():
        err = realm_client.errors.error_for_status(
            status, "boom", http_status=500, server_code="Code", link="http://log"
        )
        assert type(err) is cls
        assert isinstance(err, realm_client.RealmError)
        assert (err.status, err.status_name, err.message) == (status, status.name, "boom")
        assert (err.http_status, err.server_code, err.link) == (500, "Code", "http://log")
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is cls and again.status == status and again.link == "http://log"
    unknown = realm_client.errors.error_for_status(77, "what")
    assert type(unknown) is realm_client.RealmError and unknown.status_name == "UNKNOWN"
    # The groups callers catch.
    assert issubclass(realm_client.InvalidArgumentError, ValueError)
    assert issubclass(realm_client.SessionExpiredError, realm_client.LoginRequiredError)
    assert issubclass(realm_client.NotLoggedInError, realm_client.LoginRequiredError)
    assert issubclass(realm_client.RequestTimeoutError, realm_client.NetworkError)
    assert issubclass(realm_client.TlsError, realm_client.NetworkError)
    assert issubclass(realm_client.ServerError, realm_client.HttpError)
    assert issubclass(realm_client.ResponseTooLargeError, realm_client.ProtocolError)
    assert issubclass(realm_client.PanicError, realm_client.InternalError)
    assert issubclass(realm_client.TokenExpiredError, realm_client.TokenVerificationError)
    assert not issubclass(realm_client.LibraryError, realm_client.RealmError)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_invalid_argument(client):
    with pytest.raises(realm_client.InvalidArgumentError) as info:
        client.restore_session('{"v": 999}')
    assert info.value.status == Status.INVALID_ARGUMENT and info.value.http_status == 0
    with pytest.raises(realm_client.InvalidArgumentError, match="must not be empty"):
        client.login_email_password("", "x")
    with pytest.raises(realm_client.InvalidArgumentError, match="options"):
        client.login("local-userpass", {"options": {}})


def test_not_logged_in(client):
    with pytest.raises(realm_client.NotLoggedInError) as info:
        client.user_id()
    assert info.value.status == Status.NOT_LOGGED_IN
    with pytest.raises(realm_client.LoginRequiredError):
        client.refresh()


def test_invalid_credentials(client):
    with pytest.raises(realm_client.InvalidCredentialsError) as info:
        client.login_email_password(EMAIL, "wrong-password")
    err = info.value
    assert err.status == Status.INVALID_CREDENTIALS
    assert err.http_status == 401 and err.server_code == "InvalidPassword"
    assert err.link.startswith("http")
    assert "wrong-password" not in str(err)
    assert not client.is_logged_in


def test_session_expired(emu, logged_in):
    emu.revoke(DEMO_USER_ID)
    with pytest.raises(realm_client.SessionExpiredError) as info:
        logged_in.refresh()
    err = info.value
    assert err.status == Status.SESSION_EXPIRED
    assert err.http_status == 401 and err.server_code == "InvalidSession"
    assert not logged_in.is_logged_in
    with pytest.raises(realm_client.NotLoggedInError):
        logged_in.graphql(MOVIES)


def test_session_expired_during_a_request(emu, make_client):
    emu.settings(access_token_ttl_secs=1)
    c = make_client()
    c.login_email_password(EMAIL, PASSWORD)
    emu.revoke(DEMO_USER_ID)
    emu.clock(5)  # the access token is now expired: the request needs a refresh, refused
    with pytest.raises(realm_client.SessionExpiredError):
        c.graphql(MOVIES)
    assert emu.count(REFRESH) >= 1


@pytest.mark.parametrize(
    "status,cls",
    [
        (403, realm_client.ForbiddenError),
        (429, realm_client.RateLimitedError),
        (418, realm_client.HttpError),
        (503, realm_client.ServerError),
    ],
)
def test_http_statuses(emu, logged_in, status, cls):
    emu.fault(
        GRAPHQL_PATH,
        {
            "kind": "respond",
            "status": status,
            "body": '{"error":"nope","error_code":"SomeCode","link":"http://log/1"}',
            "content_type": "application/json",
        },
        count=5,
    )
    with pytest.raises(cls) as info:
        logged_in.graphql(MOVIES)
    err = info.value
    assert type(err) is cls
    assert err.http_status == status
    assert err.server_code == "SomeCode"
    assert err.status == {403: 13, 429: 21, 418: 22, 503: 23}[status]


def test_not_found(emu, make_client):
    c = make_client("nosuch-abcde")
    with pytest.raises(realm_client.NotFoundError) as info:
        c.login_anonymous()
    assert info.value.http_status == 404


def test_network_error(emu):
    with Client(APP_ID, base_url=f"http://127.0.0.1:{_free_port()}") as c:
        with pytest.raises(realm_client.NetworkError) as info:
            c.login_anonymous()
    assert type(info.value) is realm_client.NetworkError
    assert info.value.http_status == 0


def test_dropped_connection_is_a_network_error(emu, client):
    emu.fault(LOGIN_PATH, {"kind": "drop"}, count=10)
    with pytest.raises(realm_client.NetworkError):
        client.login_email_password(EMAIL, PASSWORD)


def test_timeout(emu, make_client):
    c = make_client(request_timeout_ms=300)
    emu.fault(LOGIN_PATH, {"kind": "stall"}, count=10)
    with pytest.raises(realm_client.RequestTimeoutError) as info:
        c.login_email_password(EMAIL, PASSWORD)
    assert info.value.status == Status.TIMEOUT
    assert isinstance(info.value, realm_client.NetworkError)


def _tls_to_plain_http(emu):
    # TLS to the emulator's plain-HTTP port: the handshake fails (stdlib only, no certificate
    # tooling needed).
    https = emu.url.replace("http://", "https://")
    with Client(APP_ID, base_url=https, connect_timeout_ms=3000, request_timeout_ms=3000) as c:
        with pytest.raises(realm_client.NetworkError) as info:
            c.login_anonymous()
    return info.value


def test_tls_failure_is_a_tls_error(emu):
    err = _tls_to_plain_http(emu)
    assert type(err) is realm_client.TlsError
    assert err.status == Status.TLS
    assert err.http_status == 0


def test_protocol_error(emu, client):
    emu.fault(
        LOGIN_PATH,
        {"kind": "respond", "status": 200, "body": "<html>hi</html>", "content_type": "text/html"},
    )
    with pytest.raises(realm_client.ProtocolError) as info:
        client.login_email_password(EMAIL, PASSWORD)
    assert type(info.value) is realm_client.ProtocolError
    assert info.value.status == Status.PROTOCOL


def test_response_too_large(emu, make_client):
    c = make_client(max_response_bytes=4096)
    c.login_email_password(EMAIL, PASSWORD)
    emu.fault(GRAPHQL_PATH, {"kind": "oversized", "bytes": 100_000})
    with pytest.raises(realm_client.ResponseTooLargeError) as info:
        c.graphql(MOVIES)
    assert info.value.status == Status.RESPONSE_TOO_LARGE
    assert isinstance(info.value, realm_client.ProtocolError)


def test_client_closed(emu):
    c = Client(APP_ID, base_url=emu.url)
    c.close()
    with pytest.raises(realm_client.ClientClosedError) as info:
        c.login_anonymous()
    assert isinstance(info.value, realm_client.InvalidArgumentError)
    assert info.value.status == Status.INVALID_ARGUMENT


def test_error_detail_is_per_call(emu, client):
    # A failure, then a success, then another failure: each carries its own detail.
    with pytest.raises(realm_client.InvalidCredentialsError):
        client.login_email_password(EMAIL, "bad")
    client.login_email_password(EMAIL, PASSWORD)
    client.logout()
    with pytest.raises(realm_client.NotLoggedInError) as info:
        client.user_id()
    assert info.value.http_status == 0 and info.value.server_code == "" and info.value.link == ""


# ---- TypeError before any call ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.login_email_password(b"demo@example.com", "demo-password"),
        lambda c: c.login_email_password("demo@example.com", b"demo-password"),
        lambda c: c.login_email_password(None, "demo-password"),
        lambda c: c.login_api_key(b"key"),
        lambda c: c.login_api_key(12345),
        lambda c: c.login_custom_jwt(b"a.b.c"),
        lambda c: c.login_custom_function('{"username": "alice"}'),
        lambda c: c.login_custom_function({"username": b"alice"}),
        lambda c: c.login(b"anon-user", {}),
        lambda c: c.login("anon-user", b"{}"),
        lambda c: c.login_google(id_token=b"demo-google-token"),
        lambda c: c.login_apple(None),
        lambda c: c.login_facebook(42),
        lambda c: c.graphql(b"query { movies { title } }"),
        lambda c: c.graphql("query { movies { title } }", variables='{"n": 1}'),
        lambda c: c.graphql("query { movies { title } }", operation_name=b"Op"),
        lambda c: c.restore_session(b"{}"),
        lambda c: c.restore_session({"v": 1}),
    ],
)
def test_non_str_arguments_raise_type_error_before_any_call(emu, client, call):
    emu.clear_requests()
    with pytest.raises(TypeError):
        call(client)
    assert emu.requests() == []


def test_nul_characters_are_refused(emu, client):
    # C strings end at NUL: a password cut short there must never be sent.
    emu.clear_requests()
    with pytest.raises(ValueError, match="NUL"):
        client.login_email_password(EMAIL, "demo-password\x00tail")
    with pytest.raises(ValueError):
        client.login_email_password(EMAIL, "lone surrogate \udc80")
    assert emu.requests() == []
    assert emu.count(login_path("local-userpass")) == 0
