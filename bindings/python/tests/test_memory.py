"""No growth of the process's memory: 1,000 clients created and freed, and thousands of owned
strings received (each freed with realm_string_free).

RSS is read from /proc/self/statm (Linux) after a warm-up. Each check has a control that does
the same work with the leak (clients never freed, strings never passed to realm_string_free)
and must exceed the bound, so the bound is known to catch a leak on this machine, in this run.
Measured on Linux x86-64: 1,000 leaked clients grow RSS by about 2.2 MiB (2.2 KiB each), and
15,000 leaked strings by about 10 MiB; freed, both grow it by 0.00 MiB.
"""

from __future__ import annotations

import ctypes
import gc
import os

import pytest

import realm_client
from conftest import APP_ID

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/statm"), reason="RSS is read from /proc/self/statm (Linux)"
)

CLIENT_BOUND = 512 * 1024  # a quarter of what 1,000 leaked clients take
STRING_BOUND = 2 * 1024 * 1024  # a fifth of what 15,000 leaked strings take
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def _clients(url: str, n: int, leak: bool = False) -> list:
    leaked = []
    for i in range(n):
        c = realm_client.Client(APP_ID, base_url=url, app_name=f"mem-{i % 7}")
        if leak:
            # Detached: neither close() nor garbage collection frees it.
            leaked.append(c._finalizer.detach())
        c.close()
    return leaked


def test_a_thousand_clients_created_and_freed(emu):
    _clients(emu.url, 200)  # warm-up: allocator arenas, lazy statics
    before = rss()
    _clients(emu.url, 1000)
    growth = rss() - before
    assert growth < CLIENT_BOUND, f"RSS grew by {growth / 2**20:.2f} MiB over 1,000 clients"


def test_a_thousand_clients_freed_by_garbage_collection(emu):
    def make(n: int) -> None:
        for _ in range(n):
            realm_client.Client(APP_ID, base_url=emu.url)  # dropped at once: finalize frees it

    make(200)
    before = rss()
    make(1000)
    growth = rss() - before
    assert growth < CLIENT_BOUND, f"RSS grew by {growth / 2**20:.2f} MiB over 1,000 clients"


def test_control_a_thousand_leaked_clients_exceed_the_bound(emu):
    _clients(emu.url, 200)
    before = rss()
    leaked = _clients(emu.url, 1000, leak=True)
    growth = rss() - before
    for _obj, free, args, _kw in leaked:  # now free them for real
        free(*args)
    assert growth > CLIENT_BOUND, f"leaking 1,000 clients grew RSS by only {growth} bytes"


def _strings(client: realm_client.Client, n: int) -> None:
    for _ in range(n):
        client.access_token()  # ~600 bytes each
        client.user_info()  # ~1.5 KiB each
        client.export_session()


def test_owned_strings_are_freed(emu, logged_in):
    _strings(logged_in, 300)  # warm-up
    before = rss()
    _strings(logged_in, 5000)
    growth = rss() - before
    assert growth < STRING_BOUND, f"RSS grew by {growth / 2**20:.2f} MiB over 15,000 strings"


def test_control_leaked_strings_exceed_the_bound(emu, logged_in):
    lib, handle = logged_in._lib, logged_in._handle
    fns = (lib.realm_access_token, lib.realm_user_json, lib.realm_session_export)
    _strings(logged_in, 300)
    before = rss()
    kept = []
    for _ in range(5000):
        for fn in fns:
            out = ctypes.c_void_p()
            fn(handle, ctypes.byref(out))
            ctypes.string_at(out.value)  # copied, as c_char_p would, and not freed
            kept.append(out)
    growth = rss() - before
    for out in kept:
        lib.realm_string_free(out)
    assert growth > STRING_BOUND, f"leaking 15,000 strings grew RSS by only {growth} bytes"
