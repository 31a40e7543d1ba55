"""The figures of `make bench`: what each run measures and how. One repetition runs every
group once; within a group the two servers take turns run by run, the first side changing
from one run (and one repetition) to the next."""

import time

from harness import procstat
from harness.load import Background, run_sipbench, run_sipbench_many
from harness.servers import KamailioServer, OpensslServer, SerServer, SippUas, StartError

# Source addresses of the handshake runs, used in turn: tens of thousands of connections a
# minute from one address would exhaust its ports (each closed one waits in TIME_WAIT).
HANDSHAKE_IPS = [f"127.0.0.{i}" for i in range(16, 48)]
# Handshake runs use two sipbench processes at once, each with half of the connections, of
# the concurrency and of the source addresses: one process spends a core on resumed TLS 1.3
# handshakes (its CPU time equals its run time) and would be what limits the rate.
HANDSHAKE_LOADS = 2
IDLE_IPS = ",".join(f"127.0.1.{i}" for i in range(16, 48))

CONNECTIONS = 100  # figures a, b and the latency: 100 TLS connections ...
WINDOW = 8         # ... with 8 requests outstanding on each
LATENCY_RATE = 20000


class Plan:
    """Run lengths: `full` for `make bench`, `quick` for `make bench-quick`."""

    def __init__(self, quick):
        self.reps = 1 if quick else 3
        self.duration = 3 if quick else 6       # counted seconds of an options run
        self.warmup = 1 if quick else 2         # seconds run before, not counted
        self.full_handshakes = 400 if quick else 1500
        # About 2 s per run at ser's rates: shorter runs (8,000 resumed TLS 1.2 handshakes took
        # under a second) follow this machine's changes of speed from one run to the next.
        self.resumed = {"1.2": 2500 if quick else 20000, "1.3": 1000 if quick else 6000}
        self.idle_connections = 1000 if quick else 4000


class Bench:
    def __init__(self, ctx, plan, results, log):
        self.ctx = ctx
        self.plan = plan
        self.results = results
        self.log = log
        self.servers = []

    # ---- server lifetimes ---------------------------------------------------------------

    def _start(self, server):
        """Starts a server; a server that does not come up is a failed run, not a bench error."""
        try:
            server.start()
        except StartError as e:
            self.log(f"  {server.label}: {e}")
            return None
        self.servers.append(server)
        return server

    def _stop(self, server):
        if server is not None:
            server.stop()
            if server in self.servers:
                self.servers.remove(server)

    def stop_all(self):
        for server in list(self.servers):
            self._stop(server)

    def _checked(self, figure, side, rep, server, values, failure, note=""):
        """Records a run after checking the server is still alive: a crash fails the run (and
        is said as such); the server is then stopped so the next run starts a fresh one."""
        problem = server.check() if server is not None else "did not start"
        if problem:
            failure = problem.splitlines()[0]
            self.log(f"  {side}: {problem}")
        self.results.add(figure, side, rep, values, failure, note)
        said = f"FAILED: {failure}" if failure else _brief(values)
        self.log(f"  [{rep + 1}/{self.plan.reps}] {figure:<16} {side:<9} {said}"
                 + (f"  ({note})" if note else ""))
        return problem is None

    # ---- options: figures a (reply), b (forward) and the latency at a fixed rate ---------

    def _options(self, server, extra, samplers, uas=None):
        """One `sipbench options` run over TLS; answered per server CPU-second from the
        server's CPU utilisation inside the counted window."""
        p = self.plan
        sampler = procstat.CpuSampler(server.pids())
        args = ["options", f"127.0.0.1:{server.port('ec')}", "-T", "tls", "-c", CONNECTIONS,
                "-w", WINDOW, "-d", p.duration, "--warmup", p.warmup, "--timeout", 2, "-q"] + extra
        r = run_sipbench(self.ctx, args, p.duration + p.warmup + 60, [sampler] + samplers)
        if r.error():
            return None, r.error()
        j = r.json
        # The counted window starts `warmup` seconds after the connections are up; its edges
        # are trimmed by 0.5 s so that set-up and drain stay outside.
        up = r.first_line_time("connections up") or (r.t_start + 0.3)
        start = up + p.warmup + 0.5
        end = up + p.warmup + float(j.get("run_s", p.duration)) - 0.5
        util = sampler.utilisation(start, end)
        values = {"rate": j.get("rate_per_s", 0), "sent": j.get("sent", 0),
                  "lost": j.get("lost", 0), "non_2xx": j.get("non_2xx", 0),
                  "connections_up": j.get("connections_up", 0),
                  "cpu_util": util, "sipbench_cpu_s": j.get("cpu_s"),
                  "sent_rate": j.get("sent_rate_per_s"), "rate_achieved": j.get("rate_achieved")}
        if util:
            values["per_cpu"] = values["rate"] / util
        if uas is not None:
            values["uas_cpu_util"] = samplers[0].utilisation(start, end)
        lat = j.get("latency_us") or {}
        for k in ("p50", "p99", "p999", "max"):
            if k in lat:
                values[k] = lat[k]
        failure = None
        if values["connections_up"] < CONNECTIONS:
            failure = f"{values['connections_up']}/{CONNECTIONS} connections up"
        elif not j.get("answered"):
            failure = "nothing answered"
        elif not util:
            failure = "no CPU samples in the counted window"
        return values, failure

    def group_stream(self, rep):
        """Figure a (200 to OPTIONS over TLS, 100 x 8) and the latency at 20,000 OPTIONS/s."""
        servers = {
            "kamailio": self._start(KamailioServer(self.ctx, f"kamailio-stream-{rep}", 2)),
            "ser": self._start(SerServer(self.ctx, f"ser-stream-{rep}", children=2)),
        }
        for i, figure in enumerate(["reply", "latency"]):
            for side in _order(rep + i):
                self._run(servers, side, figure, side, rep,
                          lambda server: self._stream_run(server, figure))
        for server in servers.values():
            self._stop(server)

    def _stream_run(self, server, figure):
        if figure == "reply":
            return self._options(server, [], [])
        values, failure = self._options(server, ["--rate", LATENCY_RATE], [])
        if values and not failure:
            sent = values.get("sent_rate") or values["rate"]
            values["achieved"] = sent / LATENCY_RATE
            if values["achieved"] < 0.97 or values.get("rate_achieved") is False:
                failure = f"offered rate not achieved ({sent:,.0f}/s sent)"
        return values, failure

    def _run(self, servers, key, figure, side, rep, measure):
        """One run of figure on servers[key]: measure(server) gives (values, failure); a
        server that fails its check afterwards is replaced by a fresh one for the next run."""
        server = servers[key]
        if server is None:
            self.results.add(figure, side, rep, None, "did not start")
            return
        values, failure = measure(server)
        if not self._checked(figure, side, rep, server, values, failure):
            self._stop(server)
            servers[key] = self._restart(server)

    def _restart(self, server):
        """A fresh server in place of one that failed its check."""
        if isinstance(server, KamailioServer):
            fresh = KamailioServer(self.ctx, server.label + "r", server.tcp_children,
                                   server.uas_port)
        elif isinstance(server, SerServer):
            fresh = SerServer(self.ctx, server.label + "r", server.template, server.children,
                              server.uas_port)
        else:
            fresh = OpensslServer(self.ctx, server.label + "r", server.cert)
        return self._start(fresh)

    def group_forward(self, rep):
        """Figure b: OPTIONS over TLS in, relayed statelessly over UDP to a sipp UAS."""
        uas = SippUas(self.ctx, f"sipp-uas-{rep}")
        try:
            uas.start()
        except StartError as e:
            for side in ("kamailio", "ser"):
                self.results.add("forward", side, rep, None, str(e).splitlines()[0])
            return
        self.ctx.started_uas.append(uas)
        servers = {
            "kamailio": self._start(KamailioServer(self.ctx, f"kamailio-fwd-{rep}", 2,
                                                   uas.port)),
            "ser": self._start(SerServer(self.ctx, f"ser-fwd-{rep}", "ser_forward.cfg", 2,
                                         uas.port)),
        }
        for side in _order(rep):
            self._run(servers, side, "forward", side, rep,
                      lambda server: self._forward_run(server, uas))
        for server in servers.values():
            self._stop(server)
        uas.stop()
        self.ctx.started_uas.remove(uas)

    def _forward_run(self, server, uas):
        uas_sampler = procstat.CpuSampler(uas.pids())
        drops = procstat.udp_drops(server.ports["UDP_PORT"])
        uas_drops = procstat.udp_drops(uas.port)
        values, failure = self._options(server, [], [uas_sampler], uas)
        if values:
            values["udp_drops"] = procstat.udp_drops(server.ports["UDP_PORT"]) - drops
            values["uas_udp_drops"] = procstat.udp_drops(uas.port) - uas_drops
        if uas.proc.poll() is not None:
            failure = "the sipp UAS died"
        return values, failure

    # ---- handshakes: figures c, d and f (children = 1 against 2) -----------------------

    def _handshakes(self, server, cert, version, n, resume=False):
        """n connections (connect, handshake, close), 50 at a time, after 50 not counted;
        the server's CPU over the counted run."""
        def args(k, count):
            ips = HANDSHAKE_IPS[k::HANDSHAKE_LOADS]
            a = ["handshake", f"127.0.0.1:{server.port(cert)}", "-T", "tls",
                 "-p", 50 // HANDSHAKE_LOADS, "--tls-version", version,
                 "--local-ip", ",".join(ips), "--timeout", 5, "-q", "-n", count]
            return a + (["--resume"] if resume else [])
        warm = run_sipbench(self.ctx, args(0, 50), 60)
        if warm.error():
            return None, "warm-up: " + warm.error()
        c0 = procstat.cpu_seconds(server.pids())
        t0 = time.monotonic()
        shares = [n // HANDSHAKE_LOADS + (k < n % HANDSHAKE_LOADS) for k in range(HANDSHAKE_LOADS)]
        rs = run_sipbench_many(self.ctx, [args(k, m) for k, m in enumerate(shares)], 60 + n / 50)
        elapsed = time.monotonic() - t0
        cpu = procstat.cpu_seconds(server.pids()) - c0
        for r in rs:
            if r.error():
                return None, r.error()
        js = [r.json for r in rs]
        ok = sum(j.get("succeeded", 0) for j in js)
        # The loads start a few ms apart: the rate is over the longer of their set-up times.
        setup_s = max(j.get("setup_s", 0) for j in js)
        values = {"rate": ok / setup_s if setup_s else 0, "cpu_s": cpu, "succeeded": ok,
                  "failed": sum(j.get("failed", 0) for j in js),
                  "resumed": sum(j.get("resumed", 0) for j in js),
                  "cores": cpu / max(elapsed, 1e-3)}
        client_cpu = sum(j.get("cpu_s", 0) for j in js)
        if ok and client_cpu:
            values["client_ms"] = 1000 * client_cpu / ok
        if cpu > 0:
            values["per_cpu"] = ok / cpu
        if resume and ok:
            values["resumed_pct"] = 100.0 * values["resumed"] / ok
        failure = None
        if ok == 0:
            failure = "no handshake succeeded"
        elif values["failed"] > 0.01 * n:
            failure = f"{values['failed']} of {n} handshakes failed"
        return values, failure

    def group_handshakes(self, rep):
        """Figures c (full), d (resumed) and f (children = 1 against 2). Kamailio runs with
        tcp_children = 1 here (kamailio#3791)."""
        p = self.plan
        self.log("  Kamailio with tcp_children = 1 for handshakes and idle connections "
                 "(kamailio#3791: 5.6.3 crashes with more under concurrent handshakes)")
        servers = {
            "kamailio": self._start(KamailioServer(self.ctx, f"kamailio-hs-{rep}", 1)),
            "ser": self._start(SerServer(self.ctx, f"ser-hs-{rep}", children=2)),
            "ser-c1": self._start(SerServer(self.ctx, f"ser-hs1-{rep}", children=1)),
            "s_server-ec": self._start(OpensslServer(self.ctx, f"s_server-ec-{rep}", "ec")),
            "s_server-rsa": self._start(OpensslServer(self.ctx, f"s_server-rsa-{rep}", "rsa")),
        }
        runs = []
        for cert in ("ec", "rsa"):
            for version in ("1.2", "1.3"):
                runs.append((f"full:{cert}:{version}", cert, version, p.full_handshakes, False,
                             ["kamailio", "ser", "s_server"]))
        for version in ("1.2", "1.3"):
            runs.append((f"resumed:{version}", "ec", version, p.resumed[version], True,
                         ["kamailio", "ser"]))
        # The scaling figure on RSA-3072, where the server's signature outweighs the load tool's
        # work (OpenSSL 3.0's client side costs sipbench about 0.8 ms per handshake, more than
        # ser's ECDSA handshake): on 2 shared cores an ECDSA run measures the load tool.
        runs.append(("children", "rsa3072", "1.3", p.full_handshakes, False, ["ser-c1", "ser"]))
        runs.append(("children:ec", "ec", "1.3", p.full_handshakes, False, ["ser-c1", "ser"]))
        for i, (figure, cert, version, n, resume, sides) in enumerate(runs):
            for side in _rotate(sides, rep + i):
                key = f"s_server-{cert}" if side == "s_server" else side
                self._run(servers, key, figure, side, rep,
                          lambda server: self._handshakes(server, cert, version, n, resume))
        for server in servers.values():
            self._stop(server)

    # ---- idle: figure e ----------------------------------------------------------------

    def group_idle(self, rep):
        """Figure e: C idle TLS 1.3 connections held by sipbench (each after one OPTIONS),
        the server's PSS (all its processes) with them held, less before, per connection."""
        c = self.plan.idle_connections
        for side in _order(rep):
            if side == "kamailio":
                server = self._start(KamailioServer(self.ctx, f"kamailio-idle-{rep}", 1))
            else:
                server = self._start(SerServer(self.ctx, f"ser-idle-{rep}", children=2))
            if server is None:
                self.results.add("idle", side, rep, None, "did not start")
                continue
            values, failure = self._idle(server, c)
            self._checked("idle", side, rep, server, values, failure)
            self._stop(server)

    def _idle(self, server, c):
        warm = run_sipbench(self.ctx, ["handshake", f"127.0.0.1:{server.port('ec')}", "-n", 50,
                                       "-p", 10, "--options", "--tls-version", "1.3", "-q"], 60)
        if warm.error():
            return None, "warm-up: " + warm.error()
        pids = server.pids()
        pss0, rss0 = procstat.pss_kib(pids), procstat.rss_kib(pids)
        holder = Background(self.ctx, ["idle", f"127.0.0.1:{server.port('ec')}", "-c", c,
                                       "-p", 100, "-d", 300, "--tls-version", "1.3",
                                       "--local-ip", IDLE_IPS, "--timeout", 30],
                            360)
        line = holder.wait_line("connections up; holding", 60 + c / 100)
        values = failure = None
        if line is None:
            failure = "sipbench idle: " + holder.stop().strip().replace("\n", " | ")
            return None, failure
        up = int(line.split("sipbench: ")[1].split()[0])
        # What the last handshakes left in flight (tickets, buffers) settles first.
        time.sleep(0.5)
        pss1, rss1 = procstat.pss_kib(pids), procstat.rss_kib(pids)
        holder.stop()
        values = {"up": up, "pss_per_conn_kib": (pss1 - pss0) / max(up, 1),
                  "rss_per_conn_kib": (rss1 - rss0) / max(up, 1)}
        if up < c:
            failure = f"{up}/{c} connections up"
        return values, failure

    def run(self):
        groups = [("stream", self.group_stream), ("forward", self.group_forward),
                  ("handshakes", self.group_handshakes), ("idle", self.group_idle)]
        for rep in range(self.plan.reps):
            for name, group in groups:
                if self.ctx.only and name not in self.ctx.only:
                    continue
                self.log(f"repetition {rep + 1}/{self.plan.reps}: {name}")
                started = time.monotonic()
                group(rep)
                self.log(f"  ({name}: {time.monotonic() - started:.0f} s)")


def _order(n):
    return ["kamailio", "ser"] if n % 2 == 0 else ["ser", "kamailio"]


def _rotate(sides, n):
    k = n % len(sides)
    return sides[k:] + sides[:k]


def _brief(values):
    if not values:
        return "-"
    keys = ("per_cpu", "rate", "lost", "p50", "p99", "p999", "pss_per_conn_kib", "resumed_pct",
            "cpu_util", "uas_cpu_util")
    parts = []
    for k in keys:
        v = values.get(k)
        if v is not None:
            parts.append(f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}")
    return ", ".join(parts)


__all__ = ["Bench", "Plan"]
