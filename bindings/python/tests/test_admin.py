"""AdminClient: verifying client access tokens with the Admin API."""

from __future__ import annotations

import gc
import time
import weakref

import pytest

import realm_client
from conftest import (
    ADMIN_LOGIN,
    ADMIN_PRIVATE,
    ADMIN_PUBLIC,
    ADMIN_REFRESH,
    DEMO_USER_ID,
    GROUP_ID,
    INTERNAL_APP_ID,
    VERIFY,
    make_jwt,
)


def test_verify_token(emu, make_admin, logged_in):
    emu.clear_requests()
    admin = make_admin()
    assert emu.requests() == []  # no I/O until first use
    claims = admin.verify_token(logged_in.access_token())
    assert claims["sub"] == DEMO_USER_ID
    assert {"exp", "iat", "iss", "domain_id", "device_id"} <= set(claims)
    assert claims["device_id"] == logged_in.user_info()["device_id"]
    assert emu.count(ADMIN_LOGIN) == 1 and emu.count(VERIFY) == 1
    # The admin login is reused for later verifications.
    for _ in range(3):
        admin.verify_token(logged_in.access_token())
    assert emu.count(ADMIN_LOGIN) == 1 and emu.count(VERIFY) == 4
    assert "open" in repr(admin) and GROUP_ID in repr(admin)


def test_custom_user_data_is_in_the_claims(make_admin, logged_in):
    claims = make_admin().verify_token(logged_in.access_token())
    assert claims.get("custom_user_data", {}).get("nickname") == "Démo 😀"


def test_invalid_token(make_admin):
    admin = make_admin()
    with pytest.raises(realm_client.InvalidTokenError) as info:
        admin.verify_token("not-a-token")
    assert info.value.status == realm_client.Status.INVALID_TOKEN
    forged = make_jwt({"sub": DEMO_USER_ID, "exp": int(time.time()) + 600}, secret="forged")
    with pytest.raises(realm_client.InvalidTokenError):
        admin.verify_token(forged)
    with pytest.raises(realm_client.InvalidArgumentError):
        admin.verify_token("")


def test_expired_token(emu, make_admin, logged_in):
    token = logged_in.access_token()
    admin = make_admin()
    emu.clock(7200)  # two hours later the 30-minute token has expired
    with pytest.raises(realm_client.TokenExpiredError) as info:
        admin.verify_token(token)
    assert info.value.status == realm_client.Status.TOKEN_EXPIRED
    assert isinstance(info.value, realm_client.TokenVerificationError)


def test_admin_keys_refused(make_admin, logged_in):
    admin = make_admin(private_api_key="wrong-private-key")
    with pytest.raises(realm_client.InvalidCredentialsError) as info:
        admin.verify_token(logged_in.access_token())
    assert info.value.http_status == 401
    assert "wrong-private-key" not in str(info.value)


def test_admin_token_is_renewed_when_it_expires(emu, make_admin, logged_in):
    emu.settings(admin_access_token_ttl_secs=1)
    admin = make_admin()
    admin.verify_token(logged_in.access_token())
    time.sleep(1.5)
    admin.verify_token(logged_in.access_token())
    counts = emu.counts()
    assert counts.get(ADMIN_LOGIN, 0) + counts.get(ADMIN_REFRESH, 0) >= 2
    assert counts.get(VERIFY, 0) >= 2


def test_admin_options(emu):
    with pytest.raises(TypeError, match="private_api_key must be str"):
        realm_client.AdminClient(
            public_api_key=ADMIN_PUBLIC,
            private_api_key=b"x",  # type: ignore[arg-type]
            group_id=GROUP_ID,
            app_id=INTERNAL_APP_ID,
        )
    with pytest.raises(TypeError):
        realm_client.AdminClient(public_api_key=ADMIN_PUBLIC)  # type: ignore[call-arg]
    with pytest.raises(realm_client.InvalidArgumentError, match="group_id"):
        realm_client.AdminClient(
            public_api_key=ADMIN_PUBLIC,
            private_api_key=ADMIN_PRIVATE,
            group_id="bad/id",
            app_id=INTERNAL_APP_ID,
            base_url=emu.url,
        )
    with pytest.raises(TypeError, match="request_timeout_ms must be int"):
        realm_client.AdminClient(
            public_api_key=ADMIN_PUBLIC,
            private_api_key=ADMIN_PRIVATE,
            group_id=GROUP_ID,
            app_id=INTERNAL_APP_ID,
            request_timeout_ms="1",  # type: ignore[arg-type]
        )


def test_admin_close_and_gc(emu, logged_in):
    token = logged_in.access_token()
    kwargs = dict(
        public_api_key=ADMIN_PUBLIC,
        private_api_key=ADMIN_PRIVATE,
        group_id=GROUP_ID,
        app_id=INTERNAL_APP_ID,
        base_url=emu.url,
    )
    with realm_client.AdminClient(**kwargs) as admin:
        admin.verify_token(token)
        handle, lib = admin._handle, admin._lib
    assert admin.closed
    admin.close()
    with pytest.raises(realm_client.ClientClosedError):
        admin.verify_token(token)
    with pytest.raises(realm_client.InvalidArgumentError, match="not a live"):
        lib.call_out_string(lib.realm_admin_verify_token, handle, token.encode())

    admin = realm_client.AdminClient(**kwargs)
    fin = admin._finalizer
    _, func, args, _ = fin.peek()
    assert func is lib.realm_admin_free
    ref = weakref.ref(admin)
    del admin
    gc.collect()
    assert ref() is None and not fin.alive
