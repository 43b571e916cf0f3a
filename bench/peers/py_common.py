"""Shared by the Python peers: the same work and result line as the C peers (peers/common.h).

Each peer: one login, then N GraphQL POSTs of the same body over one keep-alive connection;
every response is parsed with json.loads (the binding returns the parsed envelope, so the
other peers parse too). Prints: peer=NAME n=N ok=OK wall_us=... cpu_us=... maxrss_kb=...
"""
import argparse
import resource
import time

APP_ID = "demo-abcde"
QUERY = "{ movies(limit: 3) { title year } }"
LOGIN_PATH = f"/api/client/v2.0/app/{APP_ID}/auth/providers/local-userpass/login"
GRAPHQL_PATH = f"/api/client/v2.0/app/{APP_ID}/graphql"
LOGIN = {"username": "demo@example.com", "password": "demo-password"}


def args():
    p = argparse.ArgumentParser()
    p.add_argument("-c", dest="ca_file")
    p.add_argument("url")
    p.add_argument("n", type=int)
    return p.parse_args()


def cpu_us():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1e6


def peak_rss_kb():
    """VmHWM: ru_maxrss survives execve on Linux, so it would show the parent's peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def measure(name, n, call):
    """Runs call() n times; call returns True for a good answer."""
    ok = 0
    c0, t0 = cpu_us(), time.perf_counter()
    for _ in range(n):
        ok += 1 if call() else 0
    t1, c1 = time.perf_counter(), cpu_us()
    rss = peak_rss_kb()
    print(
        f"peer={name} n={n} ok={ok} wall_us={(t1 - t0) * 1e6 / n:.3f} "
        f"cpu_us={(c1 - c0) / n:.3f} maxrss_kb={rss}",
        flush=True,
    )
    return 0 if ok == n else 1
