"""The example script runs against the emulator and prints what the C quickstart prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import PACKAGE_ROOT, REFRESH, LOGOUT

EXAMPLE = PACKAGE_ROOT / "examples" / "quickstart.py"


def run(url: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, REALM_BASE_URL=url)
    return subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=60
    )


def test_quickstart_runs(emu):
    r = run(emu.url)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Movies:"
    movies = json.loads(lines[1])["data"]["movies"]
    years = [m["year"] for m in movies]
    assert years == sorted(years) and len(movies) >= 3
    since = json.loads(lines[3])["data"]["movies"]
    assert since and all(m["year"] >= 2001 for m in since)
    assert "User id: 5f00000000000000000000b1" in lines
    assert lines[-1] == "Logged out."
    counts = emu.counts()
    assert counts.get(REFRESH, 0) >= 2  # refresh() and the restored client's first request
    assert counts.get(LOGOUT, 0) == 1


def test_quickstart_reports_failures(emu):
    emu.fault(
        "/api/client/v2.0/app/demo-abcde/auth/providers/local-userpass/login",
        {"kind": "respond", "status": 503, "body": "down", "content_type": "text/plain"},
        count=5,
    )
    r = run(emu.url)
    assert r.returncode == 1
    assert "failed: SERVER (23)" in r.stderr and "HTTP 503" in r.stderr
