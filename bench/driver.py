"""Benchmark driver (started by bench/run.sh): servers, peers, placements, figures, table.

Everything runs on 127.0.0.1. nginx runs as one process (master_process off) so that taskset
pins the whole server; it is this process's child with a parent-death signal, and so is the
emulator (whose stdin is also a pipe from here): nothing outlives the run.
"""
import argparse
import base64
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
APP = "demo-abcde"
GRAPHQL_REPLY = (
    '{"data":{"movies":[{"title":"The Matrix","year":1999},'
    '{"title":"Spirited Away","year":2001},{"title":"Amélie","year":2001}]}}'
)
NCPU = os.cpu_count() or 1

# ---- helpers ---------------------------------------------------------------------------------


def die_with_parent():
    """preexec_fn: SIGTERM this child when the driver dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what):
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"bench: {what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"bench: {what} did not listen on {port}")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims):
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}.{b64url(secrets.token_bytes(32))}"


def proc_cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def parse_kv(text):
    out = {}
    for line in text.splitlines():
        for m in re.finditer(r"(\w+)=(\S+)", line):
            k, v = m.group(1), m.group(2)
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt(x, digits=1):
    if x is None or x != x:
        return "–"
    return f"{x:.{digits}f}"


# ---- servers ---------------------------------------------------------------------------------


class Nginx:
    def __init__(self, out):
        self.out = out
        self.ports = {k: free_port() for k in ("http", "https", "audit_http", "audit_https")}
        now = int(time.time())
        self.access = jwt(
            {
                "baas_device_id": "5f00000000000000000000c1",
                "baas_domain_id": "5f00000000000000000000d1",
                "exp": now + 1800,
                "iat": now,
                "iss": "5f00000000000000000000f1",
                "sub": "5f00000000000000000000b1",
                "typ": "access",
            }
        )
        refresh = jwt({"exp": now + 5184000, "iat": now, "sub": "5f00000000000000000000b1", "typ": "refresh"})
        with open(os.path.join(HERE, "nginx.conf.in")) as f:
            conf = f.read()
        subst = {
            "OUT": out,
            "HTTP_PORT": self.ports["http"],
            "HTTPS_PORT": self.ports["https"],
            "AUDIT_HTTP_PORT": self.ports["audit_http"],
            "AUDIT_HTTPS_PORT": self.ports["audit_https"],
            "APP": APP,
            "ACCESS": self.access,
            "REFRESH": refresh,
            "GRAPHQL_REPLY": GRAPHQL_REPLY,
        }
        for k, v in subst.items():
            conf = conf.replace(f"@{k}@", str(v))
        assert "@" not in re.sub(r"#.*", "", conf).replace("demo@example.com", ""), "unfilled template field"
        self.conf = os.path.join(out, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(out, "tmp", d), exist_ok=True)
        self.log = os.path.join(out, "access.log")
        if os.path.exists(self.log):
            os.remove(self.log)
        self.proc = subprocess.Popen(
            ["nginx", "-p", out, "-c", self.conf],
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        for p in self.ports.values():
            wait_port(p, self.proc, "nginx")

    def url(self, kind):
        scheme = "https" if kind.endswith("https") else "http"
        return f"{scheme}://127.0.0.1:{self.ports[kind]}"

    def pin(self, cpus):
        subprocess.run(["taskset", "-pc", cpus, str(self.proc.pid)], check=True, stdout=subprocess.DEVNULL)

    def log_size(self):
        return os.path.getsize(self.log) if os.path.exists(self.log) else 0

    def log_since(self, offset):
        time.sleep(0.05)
        with open(self.log) as f:
            f.seek(offset)
            return [line.split() for line in f.read().splitlines() if line.strip()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Emulator:
    def __init__(self, binary):
        self.proc = subprocess.Popen(
            [binary, "--port", "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=die_with_parent,
        )
        first = self.proc.stdout.readline().strip()
        if not first.startswith("listening on "):
            sys.exit(f"bench: emulator said {first!r}")
        self.url = first[len("listening on "):]

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# ---- the benchmark ---------------------------------------------------------------------------


class Bench:
    def __init__(self, a):
        self.a = a
        quick = bool(os.environ.get("BENCH_QUICK"))
        self.runs = int(os.environ.get("BENCH_RUNS", "2" if quick else "5"))
        self.n = int(os.environ.get("BENCH_N", "2000" if quick else "10000"))
        self.py_n = int(os.environ.get("BENCH_PY_N", "500" if quick else "3000"))
        self.quick = quick
        self.ca = os.path.join(a.out, "ca.pem")
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = os.path.join(a.repo, "bindings", "python", "src") + os.pathsep + os.path.join(HERE, "peers")
        self.env["REALM_CLIENT_LIBRARY"] = os.path.join(a.lib, "librealm_client.so")
        self.lines = []
        self.checks = []

    # ---- output ----
    def say(self, line=""):
        print(line, flush=True)
        self.lines.append(line)

    def check(self, name, ok, detail):
        self.checks.append((name, ok, detail))

    # ---- running peers ----
    def peer_cmd(self, peer, url, n, extra=()):
        ca = ["-c", self.ca] if url.startswith("https") else []
        if peer in ("raw", "curl", "realm"):
            return [os.path.join(self.a.bin, peer), *ca, *extra, url, str(n)]
        script = {"py-http.client": "py_httpclient.py", "py-requests": "py_requests.py", "py-realm": "py_realm.py"}[peer]
        return [self.a.python, os.path.join(HERE, "peers", script), *ca, url, str(n)]

    def run(self, cmd, client_cpus=None, timeout=600):
        if client_cpus is not None:
            cmd = ["taskset", "-c", client_cpus, *cmd]
        p = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=timeout)
        if p.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
        return p.stdout

    PEERS = ["raw", "curl", "realm", "py-http.client", "py-requests", "py-realm"]

    def placements(self):
        if NCPU < 2:
            return [("cpu0", "0", "0")]
        return [("cpu0", "0", "0"), ("split", "0", "1"), ("unpinned", None, f"0-{NCPU - 1}")]

    def per_call(self, ngx):
        """Wall and CPU µs per request, median of self.runs runs, interleaved across peers."""
        results = {}
        for place, client_cpus, server_cpus in self.placements():
            ngx.pin(server_cpus)
            for scheme in ("http", "https"):
                url = ngx.url(scheme)
                samples = {p: [] for p in self.PEERS}
                for _ in range(self.runs):
                    for peer in self.PEERS:
                        n = self.py_n if peer.startswith("py") else self.n
                        t0 = proc_cpu_ticks(ngx.proc.pid)
                        kv = parse_kv(self.run(self.peer_cmd(peer, url, n), client_cpus))
                        t1 = proc_cpu_ticks(ngx.proc.pid)
                        if kv.get("ok") != n:
                            sys.exit(f"bench: {peer} {url}: {kv}")
                        kv["srv_cpu_us"] = (t1 - t0) * 1e6 / os.sysconf("SC_CLK_TCK") / (n + 1)
                        samples[peer].append(kv)
                results[(place, scheme)] = {
                    p: {k: med([s[k] for s in v]) for k in ("wall_us", "cpu_us", "srv_cpu_us", "maxrss_kb")}
                    for p, v in samples.items()
                }
                r = results[(place, scheme)]
                print(
                    f"bench: {place:8} {scheme:5} "
                    + " ".join(f"{p}={r[p]['wall_us']:.1f}" for p in self.PEERS),
                    file=sys.stderr,
                    flush=True,
                )
        ngx.pin(f"0-{NCPU - 1}")
        return results

    def print_per_call(self, results):
        self.say("## Per call (µs per GraphQL request, median of %d runs; N=%d for C, %d for Python)" % (self.runs, self.n, self.py_n))
        self.say()
        self.say("Placement: `cpu0` = client and nginx both pinned to CPU 0 (headline); `split` = client on CPU 0,")
        self.say("nginx on CPU 1; `unpinned` = no affinity. Ratios are to the raw-socket floor (`raw`: plain")
        self.say("socket for http, OpenSSL on a socket for https) and to libcurl, both measured in the same run.")
        self.say("`srv cpu` is nginx's CPU per request (from /proc, 10 ms ticks), the same for every client.")
        self.say()
        self.say("| placement | scheme | client | wall µs | CPU µs | wall / raw | wall / curl | CPU / raw | CPU / curl | srv cpu µs | max RSS MiB |")
        self.say("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (place, scheme), r in results.items():
            raw, curl = r["raw"], r["curl"]
            for p in self.PEERS:
                x = r[p]
                self.say(
                    f"| {place} | {scheme} | {p} | {fmt(x['wall_us'])} | {fmt(x['cpu_us'])} | "
                    f"{fmt(x['wall_us'] / raw['wall_us'], 2)} | {fmt(x['wall_us'] / curl['wall_us'], 2)} | "
                    f"{fmt(x['cpu_us'] / raw['cpu_us'], 2)} | {fmt(x['cpu_us'] / curl['cpu_us'], 2)} | "
                    f"{fmt(x['srv_cpu_us'])} | {fmt(x['maxrss_kb'] / 1024)} |"
                )
        self.say()
        self.say("Python: `requests / py-realm` is how many times faster the binding is than requests.Session;")
        self.say("`py-realm / http.client` is the binding's time relative to http.client (below 1 is faster).")
        self.say()
        self.say("| placement | scheme | requests / py-realm (wall) | py-realm / http.client (wall) | requests / py-realm (CPU) | py-realm / http.client (CPU) |")
        self.say("|---|---|---:|---:|---:|---:|")
        for (place, scheme), r in results.items():
            pr, rq, hc = r["py-realm"], r["py-requests"], r["py-http.client"]
            self.say(
                f"| {place} | {scheme} | {fmt(rq['wall_us'] / pr['wall_us'], 1)}x | {fmt(pr['wall_us'] / hc['wall_us'], 2)} | "
                f"{fmt(rq['cpu_us'] / pr['cpu_us'], 1)}x | {fmt(pr['cpu_us'] / hc['cpu_us'], 2)} |"
            )
        self.say()
        head = [k for k in results if k[0] == "cpu0"]
        for key in head:
            r = results[key]
            realm, raw, curl = r["realm"]["wall_us"], r["raw"]["wall_us"], r["curl"]["wall_us"]
            self.check(f"C per call {key[1]} ≤ 1.0x libcurl (cpu0)", realm <= curl * 1.0, f"{realm / curl:.2f}x")
            self.check(f"C per call {key[1]} ≤ 1.3x raw floor (cpu0)", realm <= raw * 1.3, f"{realm / raw:.2f}x")
            pr, rq, hc = (r[p]["wall_us"] for p in ("py-realm", "py-requests", "py-http.client"))
            self.check(f"Python {key[1]} ≥ 10x faster than requests (cpu0)", rq >= 10 * pr, f"{rq / pr:.1f}x")
            self.check(f"Python {key[1]} no slower than http.client (cpu0)", pr <= hc, f"{pr / hc:.2f}x")

    def reuse(self, ngx):
        """One connection per client run: proved from nginx's $connection/$connection_requests."""
        self.say("## Connection reuse (nginx access log, 1000 GraphQL calls per client)")
        self.say()
        self.say("| scheme | client | requests logged | connections | max $connection_requests | GraphQL 200s | other statuses |")
        self.say("|---|---|---:|---:|---:|---:|---:|")
        n = 1000
        for scheme in ("http", "https"):
            url = ngx.url("audit_" + scheme)
            for peer in self.PEERS:
                off = ngx.log_size()
                self.run(self.peer_cmd(peer, url, n))
                rows = ngx.log_since(off)
                conns = {r[0] for r in rows}
                gql = sum(1 for r in rows if r[5].endswith("/graphql") and r[3] == "200")
                bad = sum(1 for r in rows if r[3] != "200")
                maxreq = max(int(r[1]) for r in rows)
                self.say(f"| {scheme} | {peer} | {len(rows)} | {len(conns)} | {maxreq} | {gql} | {bad} |")
                if peer in ("realm", "py-realm"):
                    self.check(f"{peer} {scheme}: one connection for all requests", len(conns) == 1 and gql == n and bad == 0,
                               f"{len(rows)} requests on {len(conns)} connection(s)")
        self.say()
        self.say("Our library's run is location + login + profile + 1000 GraphQL = 1003 requests; the others")
        self.say("send login + 1000 GraphQL = 1001.")
        self.say()

    def threads(self, ngx):
        self.say("## Threads sharing one handle (realm_graphql from C, unpinned, audit port)")
        self.say()
        self.say("N calls in all, split across the threads; req/s median of %d runs. The nginx log proves every" % max(3, self.runs - 2))
        self.say("call arrived exactly once (GraphQL requests logged == N, all 200).")
        self.say()
        self.say("| scheme | threads | req/s | vs 1 thread | calls ok | GraphQL logged | connections |")
        self.say("|---|---:|---:|---:|---:|---:|---:|")
        n = self.n
        for scheme in ("http", "https"):
            url = ngx.url("audit_" + scheme)
            base = None
            for t in (1, 2, 4, 8):
                rates, logged, conns, oks = [], [], [], []
                for _ in range(max(3, self.runs - 2)):
                    off = ngx.log_size()
                    kv = parse_kv(self.run(self.peer_cmd("realm", url, n, ["-t", str(t)])))
                    rows = ngx.log_since(off)
                    g = [r for r in rows if r[5].endswith("/graphql")]
                    logged.append(sum(1 for r in g if r[3] == "200"))
                    conns.append(len({r[0] for r in rows}))
                    rates.append(kv["req_per_s"])
                    oks.append(int(kv["ok"]))
                rate = med(rates)
                base = base or rate
                exact = all(x == n for x in logged) and all(x == n for x in oks)
                self.say(f"| {scheme} | {t} | {rate:.0f} | {rate / base:.2f} | {min(oks)}/{n} | {','.join(map(str, sorted(set(logged))))} | {max(conns)} |")
                if t == 8:
                    self.check(f"8 threads {scheme}: no lost or duplicated request", exact, f"logged {sorted(set(logged))}, ok {sorted(set(oks))}")
                    self.check(f"8 threads {scheme}: throughput ≥ 1 thread", rate >= base, f"{rate / base:.2f}x")
        self.say()

    def rss(self, ngx):
        self.say("## Resident set across 100,000 calls (realm_graphql from C)")
        self.say()
        self.say("| scheme | RSS after 1k calls KiB | 10k | 100k | growth 10k→100k KiB |")
        self.say("|---|---:|---:|---:|---:|")
        n = 10000 if self.quick else 100000
        for scheme in ("http", "https"):
            out = self.run(self.peer_cmd("realm", ngx.url(scheme), n, ["-r"]))
            marks = {int(m.group(1)): int(m.group(2)) for m in re.finditer(r"rss_after=(\d+) rss_kb=(\d+)", out)}
            last = marks.get(n, 0)
            growth = last - marks.get(10000, last)
            self.say(f"| {scheme} | {marks.get(1000)} | {marks.get(10000)} | {marks.get(100000, '–')} | {growth} |")
            self.check(f"RSS flat across {n} calls ({scheme})", growth <= 512, f"+{growth} KiB from 10k to {n}")
        self.say()

    def size(self):
        so = os.path.join(self.a.lib, "librealm_client.so")
        copy = os.path.join(self.a.out, "librealm_client.stripped.so")
        shutil.copy(so, copy)
        subprocess.run(["strip", copy], check=True)
        size = os.path.getsize(copy)
        self.say("## Size")
        self.say()
        self.say(f"librealm_client.so: {os.path.getsize(so) / 2**20:.2f} MiB as built, **{size / 2**20:.2f} MiB stripped** ({size} bytes).")
        self.say()
        self.check("stripped cdylib ≤ 2.5 MiB", size <= 2.5 * 2**20, f"{size / 2**20:.2f} MiB")

    def cold(self, ngx):
        """A whole process: location + login + profile + one GraphQL query (both programs)."""
        runs = 30 if self.quick else 100
        self.say("## Cold process: location + login + profile + one GraphQL query (hyperfine, %d runs)" % runs)
        self.say()
        self.say("Each program starts, sends the same four requests on one connection and exits (`-F` mode).")
        self.say()
        self.say("| placement | scheme | raw ms | curl ms | realm ms | realm / curl |")
        self.say("|---|---|---:|---:|---:|---:|")
        for place, client_cpus, server_cpus in self.placements():
            ngx.pin(server_cpus)
            for scheme in ("http", "https"):
                url = ngx.url(scheme)
                cmds = [" ".join(self.peer_cmd(p, url, 1, ["-F"])) for p in ("raw", "curl", "realm")]
                export = os.path.join(self.a.out, f"cold-{place}-{scheme}.json")
                hf = ["hyperfine", "-N", "--warmup", "5", "--runs", str(runs), "--export-json", export, *cmds]
                if client_cpus is not None:
                    hf = ["taskset", "-c", client_cpus, *hf]
                subprocess.run(hf, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
                with open(export) as f:
                    res = json.load(f)["results"]
                raw, curl, realm = (r["median"] * 1000 for r in res)
                self.say(f"| {place} | {scheme} | {raw:.2f} | {curl:.2f} | {realm:.2f} | {realm / curl:.2f} |")
                if place == "cpu0":
                    self.check(f"cold process {scheme} no slower than libcurl (cpu0)", realm <= curl, f"{realm / curl:.2f}x")
        ngx.pin(f"0-{NCPU - 1}")
        self.say()

    def refresh(self):
        """Real tokens: the emulator with a 2 s access-token lifetime, realm_graphql for 8 s."""
        secs = 3 if self.quick else 8
        emu = Emulator(os.path.join(self.a.repo, "target", "release", "realm-emulator"))
        try:
            emu.control("POST", "/_emulator/settings", {"access_token_ttl_secs": 2})
            emu.control("DELETE", "/_emulator/requests")
            out = self.run(self.peer_cmd("realm", emu.url, 0, ["-d", str(secs)]))
            kv = parse_kv(out)
            log = emu.control("GET", "/_emulator/requests")
        finally:
            emu.stop()
        counts = log["counts"]
        statuses = {}
        for r in log["requests"]:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        g = counts.get(f"POST /api/client/v2.0/app/{APP}/graphql", 0)
        refreshes = counts.get("POST /api/client/v2.0/auth/session", 0)
        n401 = statuses.get(401, 0)
        self.say(f"## Proactive refresh (emulator, access_token_ttl_secs=2, realm_graphql for {secs} s)")
        self.say()
        self.say("| calls | ok | GraphQL requests seen | refreshes (POST auth/session) | 401 answers | token lifetimes spanned | µs per call |")
        self.say("|---:|---:|---:|---:|---:|---:|---:|")
        self.say(f"| {int(kv['n'])} | {int(kv['ok'])} | {g} | {refreshes} | {n401} | {secs / 2:.0f} | {kv['wall_us']:.1f} |")
        self.say()
        self.say("Request counts from the emulator: " + ", ".join(f"`{k}` {v}" for k, v in sorted(counts.items())))
        self.say()
        self.check("refresh run: zero 401s, every call ok, one request per call", n401 == 0 and kv["ok"] == kv["n"] == g and refreshes >= secs // 2,
                   f"{n401} 401s, {refreshes} refreshes, {g} GraphQL for {int(kv['n'])} calls")

    def main(self):
        ngx = Nginx(self.a.out)
        try:
            self.say("# realm-client benchmark results")
            self.say()
            rev = subprocess.run(["git", "-C", self.a.repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
            cpu = "?"
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
            nginx_v = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
            curl_v = subprocess.run(["curl-config", "--version"], capture_output=True, text=True).stdout.strip() if shutil.which("curl-config") else "?"
            reqs_v = subprocess.run([self.a.python, "-c", "import requests;print(requests.__version__)"], capture_output=True, text=True).stdout.strip()
            self.say(f"library {self.a.lib}; commit {rev}; {NCPU} CPU(s), {cpu}; nginx {nginx_v}; {curl_v}; Python {sys.version.split()[0]}, requests {reqs_v}; "
                     f"{time.strftime('%Y-%m-%d %H:%M')}.")
            self.say()
            t0 = time.time()
            results = self.per_call(ngx)
            self.print_per_call(results)
            self.reuse(ngx)
            self.threads(ngx)
            self.rss(ngx)
            self.cold(ngx)
            self.size()
        finally:
            ngx.stop()
        self.refresh()
        self.say("## Targets")
        self.say()
        self.say("| target | met | measured |")
        self.say("|---|---|---|")
        for name, ok, detail in self.checks:
            self.say(f"| {name} | {'yes' if ok else '**no**'} | {detail} |")
        self.say()
        self.say(f"(run took {time.time() - t0:.0f} s)")
        with open(os.path.join(self.a.out, "results.md"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--python", required=True)
    Bench(ap.parse_args()).main()
