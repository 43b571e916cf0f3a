"""Fixtures: the emulator process (started once, stopped at the end), a reset before each test
that uses it, and clients closed after each test.

The emulator binary is $REALM_EMULATOR_BIN, else the repo's target/release/realm-emulator.
Its first stdout line is `listening on http://127.0.0.1:PORT`; it stops when its stdin closes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import queue
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

import realm_client

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent  # bindings/python
REPO_ROOT = PACKAGE_ROOT.parent.parent

# The emulator's demo config (tests/emulator/README.md).
APP_ID = "demo-abcde"
EMAIL = "demo@example.com"
PASSWORD = "demo-password"
DEMO_USER_ID = "5f00000000000000000000b1"
UNICODE_EMAIL = "zoë@exämple.com"
UNICODE_PASSWORD = "pässwörd-ü-日本"
UNICODE_USER_ID = "5f00000000000000000000b2"
USER_API_KEY = "demo-user-api-key-0123456789"
SERVER_API_KEY = "demo-server-api-key-9876543210"
SERVER_USER_ID = "5f00000000000000000000b3"
JWT_SECRET = "demo-custom-jwt-secret"
JWT_AUDIENCE = "demo-abcde"
ADMIN_PUBLIC = "demo-admin-public"
ADMIN_PRIVATE = "demo-admin-private-0123456789"
GROUP_ID = "5f0000000000000000000001"
INTERNAL_APP_ID = "5f00000000000000000000a1"

REFRESH = "POST /api/client/v2.0/auth/session"
LOGOUT = "DELETE /api/client/v2.0/auth/session"
GRAPHQL = f"POST /api/client/v2.0/app/{APP_ID}/graphql"
ADMIN_LOGIN = "POST /api/admin/v3.0/auth/providers/mongodb-cloud/login"
ADMIN_REFRESH = "POST /api/admin/v3.0/auth/session"
VERIFY = f"POST /api/admin/v3.0/groups/{GROUP_ID}/apps/{INTERNAL_APP_ID}/users/verify_token"


def login_path(provider: str) -> str:
    return f"POST /api/client/v2.0/app/{APP_ID}/auth/providers/{provider}/login"


def make_jwt(claims: Dict[str, Any], secret: str = JWT_SECRET) -> str:
    """An HS256 JWT, stdlib only."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims, ensure_ascii=False).encode("utf-8"))
    signing_input = f"{header}.{payload}".encode("ascii")
    sig = hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(sig)}"


def jwt_claims(token: str) -> Dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def emulator_binary() -> Path:
    env = os.environ.get("REALM_EMULATOR_BIN")
    return Path(env) if env else REPO_ROOT / "target" / "release" / "realm-emulator"


class Emulator:
    """A running emulator and its /_emulator/* control surface."""

    def __init__(self, binary: Path) -> None:
        if not binary.is_file():
            pytest.fail(
                f"emulator binary {binary} not found: run `make build` or set REALM_EMULATOR_BIN",
                pytrace=False,
            )
        self.proc = subprocess.Popen(
            [str(binary), "--port", "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
        )
        lines: "queue.Queue[str]" = queue.Queue()

        def drain() -> None:
            # Read every line so that the emulator never blocks on a full pipe.
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.put(line)
            lines.put("")

        threading.Thread(target=drain, name="emulator-stdout", daemon=True).start()
        try:
            first = lines.get(timeout=30).strip()
        except queue.Empty:
            self.stop()
            pytest.fail("the emulator did not print its address within 30 s", pytrace=False)
        prefix = "listening on "
        if not first.startswith(prefix):
            self.stop()
            pytest.fail(f"unexpected first line from the emulator: {first!r}", pytrace=False)
        self.url = first[len(prefix):]

    def stop(self) -> None:
        if self.proc.stdin:
            try:
                self.proc.stdin.close()  # EOF on stdin stops it
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    # ---- control surface ----------------------------------------------------------------------

    def control(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(
            f"{self.url}/_emulator/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                text = resp.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            raise AssertionError(
                f"emulator control {method} {path} failed: {e.code} {e.read()!r}"
            ) from None
        return json.loads(text) if text.strip() else None

    def reset(self) -> None:
        self.control("POST", "reset")

    def requests(self) -> List[Dict[str, Any]]:
        return self.control("GET", "requests")["requests"]

    def counts(self) -> Dict[str, int]:
        return self.control("GET", "requests")["counts"]

    def count(self, key: str) -> int:
        return self.counts().get(key, 0)

    def clear_requests(self) -> None:
        self.control("DELETE", "requests")

    def settings(self, **values: Any) -> None:
        self.control("POST", "settings", values)

    def clock(self, offset_secs: int) -> None:
        self.control("POST", "clock", {"offset_secs": offset_secs})

    def revoke(self, user_id: str) -> None:
        self.control("POST", f"users/{user_id}/revoke", {})

    def fault(self, path: str, action: Dict[str, Any], *, method: Optional[str] = None, count: int = 1) -> None:
        body: Dict[str, Any] = {"path": path, "count": count, "action": action}
        if method is not None:
            body["method"] = method
        self.control("POST", "faults", body)


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[Emulator]:
    emu = Emulator(emulator_binary())
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emu(emulator_process: Emulator) -> Emulator:
    """The emulator, reset to its demo config before the test."""
    emulator_process.reset()
    return emulator_process


@pytest.fixture
def make_client(emu: Emulator) -> Iterator[Any]:
    """A factory of clients for the emulator's demo app; all are closed after the test."""
    made: List[realm_client.Client] = []

    def make(app_id: str = APP_ID, **options: Any) -> realm_client.Client:
        options.setdefault("base_url", emu.url)
        c = realm_client.Client(app_id, **options)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def client(make_client: Any) -> realm_client.Client:
    return make_client()


@pytest.fixture
def logged_in(client: realm_client.Client) -> realm_client.Client:
    client.login_email_password(EMAIL, PASSWORD)
    return client


@pytest.fixture
def make_admin(emu: Emulator) -> Iterator[Any]:
    made: List[realm_client.AdminClient] = []

    def make(**options: Any) -> realm_client.AdminClient:
        options.setdefault("public_api_key", ADMIN_PUBLIC)
        options.setdefault("private_api_key", ADMIN_PRIVATE)
        options.setdefault("group_id", GROUP_ID)
        options.setdefault("app_id", INTERNAL_APP_ID)
        options.setdefault("base_url", emu.url)
        a = realm_client.AdminClient(**options)
        made.append(a)
        return a

    yield make
    for a in made:
        a.close()


def wait_until(pred: Any, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()
