"""One Client shared by 8 Python threads: the GIL is released during calls, and token refresh
stays single-flight through several access-token expiries."""

from __future__ import annotations

import threading
import time
from typing import List

import realm_client
from conftest import APP_ID, EMAIL, GRAPHQL, PASSWORD, REFRESH, login_path

THREADS = 8
MOVIES = "query { movies(limit: 3) { title } }"


def _run_threads(target, n: int = THREADS) -> List[BaseException]:
    errors: List[BaseException] = []
    start = threading.Barrier(n)

    def body(i: int) -> None:
        try:
            start.wait()
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,), name=f"worker-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), f"{t.name} hung"
    return errors


def test_calls_run_in_parallel_the_gil_is_released(emu, logged_in):
    delay_ms = 600
    emu.fault(
        f"/api/client/v2.0/app/{APP_ID}/graphql", {"kind": "delay", "ms": delay_ms}, count=THREADS
    )
    t0 = time.monotonic()
    errors = _run_threads(lambda i: logged_in.graphql(MOVIES, raise_on_errors=True))
    elapsed = time.monotonic() - t0
    assert errors == []
    # Serialised by the GIL, the 8 calls would take 8 x 0.6 s = 4.8 s.
    assert elapsed < THREADS * delay_ms / 1000 / 2, elapsed
    assert emu.count(GRAPHQL) == THREADS


def test_eight_threads_share_one_client_through_token_expiries(emu, make_client):
    ttl = 2  # seconds
    emu.settings(access_token_ttl_secs=ttl)
    client = make_client()
    client.login_email_password(EMAIL, PASSWORD)
    assert 0 < client.user_info()["access_token_expires_in_ms"] <= ttl * 1000
    emu.clear_requests()

    duration = 7.0
    calls = [0] * THREADS
    tokens = [set() for _ in range(THREADS)]
    deadline = time.monotonic() + duration

    def work(i: int) -> None:
        while time.monotonic() < deadline:
            reply = client.graphql(MOVIES, raise_on_errors=True)
            assert len(reply["data"]["movies"]) == 3
            tokens[i].add(client.access_token())
            calls[i] += 1
            time.sleep(0.02)

    t0 = time.monotonic()
    errors = _run_threads(work)
    elapsed = time.monotonic() - t0
    assert errors == [], errors[:3]

    counts = emu.counts()
    refreshes = counts.get(REFRESH, 0)
    expiries = elapsed / ttl
    # Several expiries happened, and each was handled by one refresh for all 8 threads. The
    # library refreshes a quarter of the lifetime plus one second (exp and iat are whole
    # seconds) before the end: at 0.5 s for a 2 s token, so a cycle lasts 0.5 s to 1 s. 8 threads
    # refreshing on their own would make up to 8 refreshes per cycle.
    assert expiries >= 3
    assert refreshes >= 3, counts
    assert refreshes <= elapsed / 0.5 + 2, counts
    # Proactive refresh kept every token fresh: no request was refused with 401.
    reqs = [r for r in emu.requests() if f"{r['method']} {r['path']}" == GRAPHQL]
    assert all(r["status"] == 200 for r in reqs), {r["status"] for r in reqs}
    assert len(reqs) == counts.get(GRAPHQL, 0) == sum(calls), (counts, calls)
    assert all(r["status"] == 201 for r in emu.requests() if r["path"].endswith("/auth/session"))
    assert counts.get(login_path("local-userpass"), 0) == 0
    print(f"\n{refreshes} refreshes, {sum(calls)} calls in {elapsed:.1f} s")
    # Every thread made progress and saw the token change.
    assert all(n > 10 for n in calls), calls
    assert all(len(t) >= 3 for t in tokens), [len(t) for t in tokens]
    assert 3 <= len(set().union(*tokens)) <= refreshes + 1


def test_close_while_other_threads_call(emu, make_client):
    client = make_client()
    client.login_anonymous()
    stop = threading.Event()
    outcomes: List[str] = []

    def work(i: int) -> None:
        while not stop.is_set():
            try:
                client.user_id()
            except realm_client.ClientClosedError:
                outcomes.append("closed")
                return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    client.close()
    time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert outcomes == ["closed"] * THREADS
