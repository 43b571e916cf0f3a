"""Every Client method against the emulator."""

from __future__ import annotations

import gc
import json
import os
import time
import weakref

import pytest

import realm_client
from realm_client import Client
from conftest import (
    APP_ID,
    DEMO_USER_ID,
    EMAIL,
    GRAPHQL,
    LOGOUT,
    PASSWORD,
    REFRESH,
    SERVER_API_KEY,
    SERVER_USER_ID,
    USER_API_KEY,
    jwt_claims,
    login_path,
    make_jwt,
)

MOVIES = "query { movies(limit: 100) { title year } }"


# ---- construction and options ------------------------------------------------------------------


def test_construct_does_no_io(emu):
    emu.clear_requests()
    with Client(APP_ID, base_url=emu.url) as c:
        assert not c.is_logged_in
        assert not c.closed
        assert "logged out" in repr(c)
    assert emu.requests() == []


def test_keyword_options_reach_the_library(emu, make_client):
    c = make_client(
        app_name="shop",
        app_version="2.1",
        connect_timeout_ms=5000,
        request_timeout_ms=20000,
        max_response_bytes=1 << 20,
        max_redirects=3,
        auto_relogin=False,
        skip_location=True,
        platform_trust_store=False,
        allow_insecure_http=False,
    )
    c.login_anonymous()
    reqs = emu.requests()
    # skip_location: no location request was made
    assert all(not r["path"].endswith("/location") for r in reqs), reqs
    assert reqs[0]["headers"]["user-agent"].endswith(" shop/2.1")
    c2 = make_client(user_agent="my-agent/9")
    emu.clear_requests()
    c2.login_anonymous()
    assert {r["headers"]["user-agent"] for r in emu.requests()} == {"my-agent/9"}


def test_ca_file_accepts_a_path(emu, tmp_path):
    # A PathLike becomes a string in the options JSON; the library reads the file at once.
    pem = tmp_path / "ca.pem"
    pem.write_text("not a certificate")
    with pytest.raises(realm_client.InvalidArgumentError, match="holds no certificate") as info:
        Client(APP_ID, base_url=emu.url, ca_file=pem)
    assert str(pem) in info.value.message
    with pytest.raises(TypeError, match="ca_file must be str"):
        Client(APP_ID, ca_file=b"/x.pem")  # type: ignore[arg-type]


def test_options_are_type_checked_before_any_call(emu):
    with pytest.raises(TypeError, match="app_id must be str"):
        Client(b"demo-abcde")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="base_url must be str"):
        Client(APP_ID, base_url=b"http://127.0.0.1:1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="request_timeout_ms must be int"):
        Client(APP_ID, request_timeout_ms="5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="request_timeout_ms must be int"):
        Client(APP_ID, request_timeout_ms=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="auto_relogin must be bool"):
        Client(APP_ID, auto_relogin=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Client(APP_ID, no_such_option=1)  # type: ignore[call-arg]


def test_options_the_library_rejects(emu):
    with pytest.raises(realm_client.InvalidArgumentError, match="allow_insecure_http"):
        Client(APP_ID, base_url="http://example.com")
    with pytest.raises(realm_client.InvalidArgumentError) as info:
        Client(APP_ID, request_timeout_ms=0)
    assert info.value.status == realm_client.Status.INVALID_ARGUMENT
    assert info.value.status_name == "INVALID_ARGUMENT"
    with pytest.raises(realm_client.InvalidArgumentError):
        Client("", base_url=emu.url)


# ---- logins ---------------------------------------------------------------------------------------


def test_login_anonymous(emu, client):
    client.login_anonymous()
    assert client.is_logged_in
    info = client.user_info()
    assert info["provider"] == "anon-user"
    first = client.user_id()
    client.login_anonymous()  # reuses the anonymous user
    assert client.user_id() == first
    assert emu.count(login_path("anon-user")) >= 1


def test_login_email_password(emu, client):
    client.login_email_password(EMAIL, PASSWORD)
    assert client.is_logged_in
    assert client.user_id() == DEMO_USER_ID
    assert client.user_info()["provider"] == "local-userpass"
    assert emu.count(login_path("local-userpass")) == 1


def test_login_user_api_key(client):
    client.login_api_key(USER_API_KEY)
    assert client.user_id() == DEMO_USER_ID
    assert client.user_info()["provider"] == "api-key"


def test_login_server_api_key(client):
    client.login_api_key(SERVER_API_KEY)
    assert client.user_id() == SERVER_USER_ID


def test_login_custom_jwt(emu, client):
    now = int(time.time())
    jwt = make_jwt({"sub": "jwt-user-1", "aud": "demo-abcde", "iat": now, "exp": now + 600})
    client.login_custom_jwt(jwt)
    assert client.user_info()["provider"] == "custom-token"
    assert emu.count(login_path("custom-token")) == 1
    with pytest.raises(realm_client.InvalidCredentialsError):
        client.login_custom_jwt(
            make_jwt({"sub": "x", "aud": "demo-abcde", "exp": now + 600}, secret="wrong")
        )


def test_login_custom_function(emu, client):
    client.login_custom_function({"username": "alice"})
    uid = client.user_id()
    assert client.user_info()["provider"] == "custom-function"
    client.logout()
    client.login_custom_function({"username": "alice"})
    assert client.user_id() == uid  # the same identity, the same user


def test_login_oauth_providers(emu, client):
    client.login_google(id_token="demo-google-token")
    google = client.user_id()
    assert client.user_info()["provider"] == "oauth2-google"
    client.login_google(auth_code="demo-google-token")
    assert client.user_id() == google
    client.login_apple("demo-apple-token")
    assert client.user_info()["provider"] == "oauth2-apple"
    client.login_facebook("demo-facebook-token")
    assert client.user_info()["provider"] == "oauth2-facebook"
    with pytest.raises(TypeError):
        client.login_google()
    with pytest.raises(TypeError):
        client.login_google(id_token="a", auth_code="b")


def test_login_any_provider(emu, client):
    client.login("oauth2-google", {"id_token": "demo-google-token"})
    assert client.user_info()["provider"] == "oauth2-google"
    client.login("local-userpass", {"username": EMAIL, "password": PASSWORD})
    assert client.user_id() == DEMO_USER_ID
    with pytest.raises(realm_client.NotFoundError):
        client.login("no-such-provider", {})


# ---- session --------------------------------------------------------------------------------------


def test_refresh(emu, logged_in):
    before = logged_in.access_token()
    time.sleep(1.1)  # iat has second resolution: a new token differs
    emu.clear_requests()
    logged_in.refresh()
    assert emu.count(REFRESH) == 1
    after = logged_in.access_token()
    assert after != before
    assert jwt_claims(after)["sub"] == DEMO_USER_ID


def test_logout(emu, logged_in):
    logged_in.logout()
    assert not logged_in.is_logged_in
    assert emu.count(LOGOUT) == 1
    with pytest.raises(realm_client.NotLoggedInError):
        logged_in.user_id()
    logged_in.logout()  # not logged in is success


def test_user_id_info_and_access_token(logged_in):
    info = logged_in.user_info()
    assert set(info) >= {
        "id",
        "device_id",
        "provider",
        "profile",
        "claims",
        "custom_data",
        "access_token_expires_at",
        "access_token_expires_in_ms",
    }
    assert info["id"] == logged_in.user_id() == DEMO_USER_ID
    assert info["custom_data"]["favoriteColor"] == "blue"
    assert info["custom_data"]["nickname"] == "Démo 😀"
    assert 0 < info["access_token_expires_in_ms"] <= 1800 * 1000
    token = logged_in.access_token()
    assert isinstance(token, str) and token.count(".") == 2
    assert jwt_claims(token)["sub"] == DEMO_USER_ID
    assert info["claims"]["sub"] == DEMO_USER_ID


def test_export_and_restore_session(emu, logged_in, make_client):
    blob = logged_in.export_session()
    assert isinstance(blob, str)
    parsed = json.loads(blob)
    assert parsed["app_id"] == APP_ID and parsed["user_id"] == DEMO_USER_ID
    other = make_client()
    other.restore_session(blob)
    assert other.is_logged_in
    assert other.user_id() == DEMO_USER_ID
    emu.clear_requests()
    reply = other.graphql(MOVIES)  # the first request refreshes the access token
    assert reply["data"]["movies"]
    assert emu.count(REFRESH) == 1
    # A blob for another app is refused.
    foreign = make_client("other-abcde")
    with pytest.raises(realm_client.InvalidArgumentError):
        foreign.restore_session(blob)
    with pytest.raises(realm_client.InvalidArgumentError):
        other.restore_session("{not json")


# ---- GraphQL -------------------------------------------------------------------------------------


def test_graphql(emu, logged_in):
    reply = logged_in.graphql(MOVIES)
    titles = [m["title"] for m in reply["data"]["movies"]]
    assert len(titles) >= 3 and "The Matrix" in titles
    assert "errors" not in reply or not reply["errors"]
    assert emu.count(GRAPHQL) == 1


def test_graphql_variables_and_operation_name(emu, logged_in):
    doc = """
        query One($title: String) { movie(query: {title: $title}) { title year } }
        query Few($n: Int) { movies(limit: $n) { title } }
    """
    one = logged_in.graphql(doc, {"title": "The Matrix"}, "One")
    assert one["data"]["movie"] == {"title": "The Matrix", "year": 1999}
    few = logged_in.graphql(doc, variables={"n": 2}, operation_name="Few")
    assert len(few["data"]["movies"]) == 2
    body = json.loads(emu.requests()[-1]["body"])
    assert body["operationName"] == "Few" and body["variables"] == {"n": 2}


def test_graphql_errors_are_data_unless_asked(logged_in):
    reply = logged_in.graphql("query { noSuchField }")
    assert reply["errors"] and "noSuchField" in reply["errors"][0]["message"]
    with pytest.raises(realm_client.GraphQLError) as info:
        logged_in.graphql("query { noSuchField }", raise_on_errors=True)
    err = info.value
    assert "noSuchField" in str(err)
    assert err.errors == reply["errors"]
    assert err.status == realm_client.Status.OK
    assert isinstance(err, realm_client.RealmError)
    with pytest.raises(realm_client.GraphQLError):
        realm_client.raise_for_graphql_errors(reply)
    ok = logged_in.graphql(MOVIES, raise_on_errors=True)
    assert realm_client.raise_for_graphql_errors(ok) is ok


def test_graphql_mutation(logged_in):
    reply = logged_in.graphql(
        "mutation Add($m: MovieInsertInput!) { insertOneMovie(data: $m) { title year } }",
        {"m": {"title": "Ponyo", "year": 2008}},
        raise_on_errors=True,
    )
    assert reply["data"]["insertOneMovie"] == {"title": "Ponyo", "year": 2008}


def test_graphql_needs_a_login(client):
    with pytest.raises(realm_client.NotLoggedInError):
        client.graphql(MOVIES)


# ---- close, context manager, garbage collection -------------------------------------------------------


def test_close_is_idempotent_and_later_calls_raise(emu):
    c = Client(APP_ID, base_url=emu.url)
    c.login_anonymous()
    c.close()
    c.close()
    assert c.closed and not c.is_logged_in
    assert "closed" in repr(c)
    for call in (
        c.login_anonymous,
        c.refresh,
        c.logout,
        c.user_id,
        c.user_info,
        c.access_token,
        c.export_session,
        lambda: c.graphql(MOVIES),
        lambda: c.restore_session("{}"),
        lambda: c.login_email_password(EMAIL, PASSWORD),
    ):
        with pytest.raises(realm_client.ClientClosedError):
            call()
    with pytest.raises(realm_client.ClientClosedError):
        with c:
            pass


def test_context_manager_frees_the_handle(emu):
    with Client(APP_ID, base_url=emu.url) as c:
        c.login_anonymous()
        handle, lib = c._handle, c._lib
        assert lib.realm_is_logged_in(handle)
    assert c.closed
    # The library no longer knows the handle: it was freed.
    assert not lib.realm_is_logged_in(handle)
    with pytest.raises(realm_client.InvalidArgumentError, match="not a live"):
        lib.call_out_string(lib.realm_user_id, handle)


def test_garbage_collection_frees_the_handle_once(emu):
    c = Client(APP_ID, base_url=emu.url)
    c.login_anonymous()
    handle, lib, fin = c._handle, c._lib, c._finalizer
    # The finalizer holds realm_free and the id, not the client.
    _, func, args, _ = fin.peek()
    assert func is lib.realm_free and args == (handle,)
    ref = weakref.ref(c)
    del c
    gc.collect()
    assert ref() is None
    assert not fin.alive  # it ran, and it cannot run again
    assert not lib.realm_is_logged_in(handle)
    assert fin() is None


def test_close_then_garbage_collection_frees_once(emu):
    c = Client(APP_ID, base_url=emu.url)
    fin = c._finalizer
    c.close()
    assert not fin.alive
    del c
    gc.collect()
    assert fin.peek() is None


def test_library_info():
    assert realm_client.library_version() == "0.1.0"
    assert realm_client.status_name(realm_client.Status.SESSION_EXPIRED) == "SESSION_EXPIRED"
    assert os.path.isfile(realm_client.load_library().path)
