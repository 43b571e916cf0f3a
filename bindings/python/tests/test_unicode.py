"""Non-ASCII strings in and out: credentials, custom data, GraphQL variables and results."""

from __future__ import annotations

import json
import time

import pytest

import realm_client
from conftest import UNICODE_EMAIL, UNICODE_PASSWORD, UNICODE_USER_ID, login_path, make_jwt


def test_unicode_email_and_password(emu, client):
    client.login_email_password(UNICODE_EMAIL, UNICODE_PASSWORD)
    assert client.user_id() == UNICODE_USER_ID
    info = client.user_info()
    assert info["custom_data"] == {"city": "Zürich", "greeting": "こんにちは"}
    body = json.loads(
        [r for r in emu.requests() if r["path"].endswith("/local-userpass/login")][0]["body"]
    )
    assert body["username"] == UNICODE_EMAIL  # sent as UTF-8, not escaped into something else


def test_unicode_password_must_match_exactly(client):
    # NFC vs NFD: the same-looking password in another normal form is another password.
    import unicodedata

    nfd = unicodedata.normalize("NFD", UNICODE_PASSWORD)
    assert nfd != UNICODE_PASSWORD
    with pytest.raises(realm_client.InvalidCredentialsError):
        client.login_email_password(UNICODE_EMAIL, nfd)


def test_unicode_custom_function_identity(client):
    client.login_custom_function({"username": "ålice-日本-🚀"})
    first = client.user_id()
    client.logout()
    client.login_custom_function({"username": "ålice-日本-🚀"})
    assert client.user_id() == first


def test_unicode_custom_jwt(client):
    now = int(time.time())
    jwt = make_jwt({"sub": "jörg-ユーザー", "aud": "demo-abcde", "iat": now, "exp": now + 600})
    client.login_custom_jwt(jwt)
    assert client.is_logged_in


def test_unicode_graphql_round_trip(logged_in):
    title = "Amélie — 天気の子 🎬"
    reply = logged_in.graphql(
        "mutation($m: MovieInsertInput!) { insertOneMovie(data: $m) { title } }",
        {"m": {"title": title, "year": 2001}},
        raise_on_errors=True,
    )
    assert reply["data"]["insertOneMovie"]["title"] == title
    found = logged_in.graphql(
        "query($t: String) { movie(query: {title: $t}) { title year } }", {"t": title}
    )
    assert found["data"]["movie"] == {"title": title, "year": 2001}


def test_unicode_in_errors(emu, logged_in):
    with pytest.raises(realm_client.InvalidArgumentError, match="provider must be"):
        logged_in.login("ünknown-prövider", {"x": "ÿ"})
    reply = logged_in.graphql('query { movie(query: {title: "ÿ"}) { nöpe } }')
    assert reply["errors"] and "nöpe" in reply["errors"][0]["message"]
