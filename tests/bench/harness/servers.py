"""The processes a bench run starts: ser, Kamailio, openssl s_server and the sipp UAS. Each is
started in the foreground as our child, waited for by a probe (never a sleep), checked after
every run, and stopped by its PID (Kamailio: its main process, then each worker recorded)."""

import ctypes
import os
import random
import re
import signal
import socket
import subprocess
import time

from harness import procstat


class HarnessError(Exception):
    """A fault of the bench itself (missing binary, bad template): ends the bench non-zero."""


class StartError(Exception):
    """A server that did not come up: the figure fails, the bench goes on."""


_used_ports = set()
_PR_SET_PDEATHSIG = 1


def die_with_parent():
    """In the child before exec: SIGTERM when the bench dies, even by SIGKILL (prctl(2)), so
    that no server outlives it."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def spawn(argv, log):
    """argv started as our child, its output to the file log."""
    with open(log, "w") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)


def free_port():
    """A port on 127.0.0.1 free for both TCP and UDP, below the ephemeral range, not handed
    out before in this bench (a stopped server's port may still hold TIME_WAIT sockets)."""
    for _ in range(200):
        port = random.randint(20000, 31999)
        if port in _used_ports:
            continue
        try:
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                with socket.socket(socket.AF_INET, kind) as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        _used_ports.add(port)
        return port
    raise HarnessError("no free port found in 20000-31999")


def render(template, out, values):
    """template with each @KEY@ replaced by values[KEY], written to out; a placeholder left
    over is a harness error (a typo would otherwise reach the server as a parse error)."""
    with open(template) as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
    if left:
        raise HarnessError(f"{template}: placeholders left: {' '.join(left)}")
    with open(out, "w") as f:
        f.write(text)


def sip_probe(port, timeout=1.0):
    """The status code of the answer to an OPTIONS sent over UDP to 127.0.0.1:port, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(timeout)
        local = s.getsockname()[1]
        tag = random.randint(0, 1 << 30)
        msg = (f"OPTIONS sip:ping@127.0.0.1:{port} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bKprobe{tag};rport\r\n"
               f"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag={tag}\r\n"
               f"To: <sip:ping@127.0.0.1>\r\nCall-ID: probe{tag}@127.0.0.1\r\n"
               f"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
        try:
            s.sendto(msg.encode(), ("127.0.0.1", port))
            data = s.recv(65535).decode(errors="replace")
        except OSError:
            return None
    m = re.match(r"SIP/2\.0 (\d{3}) ", data)
    return int(m.group(1)) if m else None


def tcp_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_pids(main, others, grace=5.0):
    """SIGTERM to main, up to grace seconds for it and others to go, SIGKILL to those left."""
    try:
        os.kill(main, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(procstat.alive(p) for p in [main] + others):
        time.sleep(0.05)
    for pid in [main] + others:
        if procstat.alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def log_tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class Server:
    """One server under test. Subclasses set name and implement _launch/_ready."""

    name = "server"

    def __init__(self, ctx, label):
        self.ctx = ctx
        self.label = label
        self.proc = None
        self.log = os.path.join(ctx.tmp, f"{label}.log")
        self.ports = {}

    def pids(self):
        return [self.proc.pid] if self.proc else []

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout=30):
        self.ports = {"UDP_PORT": free_port(), "TLS_PORT_EC": free_port(),
                      "TLS_PORT_RSA": free_port(), "TLS_PORT_RSA3072": free_port()}
        self.proc = self._launch()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError(f"{self.label} exited ({self.proc.returncode}) at start:\n"
                                 + log_tail(self.log))
            if self._ready():
                return
            time.sleep(0.1)
        self.stop()
        raise StartError(f"{self.label} not ready after {timeout} s:\n" + log_tail(self.log))

    def port(self, cert="ec"):
        # rsa3072: ser's bench config only (the children figure).
        return self.ports[{"ec": "TLS_PORT_EC", "rsa": "TLS_PORT_RSA",
                           "rsa3072": "TLS_PORT_RSA3072"}[cert]]

    def _ready(self):
        return (sip_probe(self.ports["UDP_PORT"], 0.3) == 200
                and tcp_open(self.ports["TLS_PORT_EC"]) and tcp_open(self.ports["TLS_PORT_RSA"]))

    def check(self):
        """None while the server is alive and answers; else what is wrong (a crash)."""
        if not self.running():
            return f"{self.label} died (exit {self.proc.returncode})"
        for _ in range(3):
            if sip_probe(self.ports["UDP_PORT"], 1.0) == 200:
                return None
        return f"{self.label} does not answer an OPTIONS any more"

    def stop(self):
        if self.proc is None:
            return
        stop_pids(self.proc.pid, [])
        self.proc.wait()
        self.proc = None


class SerServer(Server):
    name = "ser"

    def __init__(self, ctx, label, template="ser.cfg", children=2, uas_port=None):
        super().__init__(ctx, label)
        self.template = template
        self.children = children
        self.uas_port = uas_port

    def _launch(self):
        cfg = os.path.join(self.ctx.tmp, f"{self.label}.cfg")
        values = dict(self.ports, CHILDREN=self.children, SHM_MB=self.ctx.shm_mb,
                      MAX_CONNECTIONS=self.ctx.max_connections, CERTS=self.ctx.certs,
                      UDP_BUFFERS=self.ctx.ser_udp_buffers)
        if self.uas_port:
            values["UAS_PORT"] = self.uas_port
        render(os.path.join(self.ctx.configs, self.template), cfg, values)
        pidfile = os.path.join(self.ctx.tmp, f"{self.label}.pid")
        return spawn([self.ctx.ser, "-f", cfg, "-D", "-E", "-P", pidfile], self.log)


class KamailioServer(Server):
    """Kamailio in the foreground (-DD): its main process stays our child; its workers are
    recorded once up, their CPU and memory summed with the main's."""

    name = "kamailio"

    def __init__(self, ctx, label, tcp_children=2, uas_port=None):
        super().__init__(ctx, label)
        self.tcp_children = tcp_children
        self.uas_port = uas_port
        self.workers = []

    def pids(self):
        return ([self.proc.pid] + self.workers) if self.proc else []

    def _launch(self):
        cfg = os.path.join(self.ctx.tmp, f"{self.label}.cfg")
        tls_cfg = os.path.join(self.ctx.tmp, f"{self.label}.tls.cfg")
        values = dict(self.ports, TCP_CHILDREN=self.tcp_children, TLS_CFG=tls_cfg,
                      MAX_CONNECTIONS=self.ctx.max_connections, CERTS=self.ctx.certs,
                      UAS_PORT=self.uas_port or 0)
        render(os.path.join(self.ctx.configs, "kamailio.cfg"), cfg, values)
        render(os.path.join(self.ctx.configs, "kamailio_tls.cfg"), tls_cfg, values)
        run_dir = os.path.join(self.ctx.tmp, f"{self.label}.run")
        os.makedirs(run_dir, exist_ok=True)
        # TLSF for shared and private memory: Kamailio's default (qm, with the memory
        # debugging Debian builds in) cost it 2 to 4 times the CPU per message here.
        argv = ["kamailio", "-f", cfg, "-DD", "-E", "-P",
                os.path.join(self.ctx.tmp, f"{self.label}.pid"), "-Y", run_dir,
                "-m", str(self.ctx.shm_mb), "-M", "16", "-x", "tlsf", "-X", "tlsf"]
        if self.uas_port:
            argv += ["-A", "BENCH_FORWARD"]
        return spawn(argv, self.log)

    def _ready(self):
        if not super()._ready():
            return False
        # Every worker forked: the count stays the same over a short look.
        first = procstat.children(self.proc.pid)
        time.sleep(0.3)
        self.workers = procstat.children(self.proc.pid)
        return len(self.workers) >= 2 + self.tcp_children and set(first) == set(self.workers)

    def check(self):
        dead = [p for p in self.workers if not procstat.alive(p)]
        if dead:
            return (f"{self.label} CRASHED: worker(s) {dead} gone\n" + log_tail(self.log))
        if re.search(r"exited by a signal|core dumped|segfault", log_tail(self.log, 200)):
            return f"{self.label} CRASHED (its log):\n" + log_tail(self.log)
        problem = super().check()
        return problem and problem + "\n" + log_tail(self.log)

    def stop(self):
        if self.proc is None:
            return
        others = procstat.children(self.proc.pid) + self.workers
        stop_pids(self.proc.pid, sorted(set(others)))
        self.proc.wait()
        self.proc = None
        self.workers = []


class OpensslServer(Server):
    """`openssl s_server` with the bench's certificate: the reference for full handshakes
    (one process, one connection at a time; -www so that it never reads stdin)."""

    name = "s_server"

    def __init__(self, ctx, label, cert="ec"):
        super().__init__(ctx, label)
        self.cert = cert

    def _launch(self):
        cert = "server-ec" if self.cert == "ec" else "server"
        return spawn(["openssl", "s_server", "-accept", f"127.0.0.1:{self.ports['TLS_PORT_EC']}",
                      "-cert", f"{self.ctx.certs}/{cert}.pem",
                      "-key", f"{self.ctx.certs}/{cert}.key", "-www", "-quiet"], self.log)

    def port(self, cert="ec"):
        return self.ports["TLS_PORT_EC"]

    def _ready(self):
        return tcp_open(self.ports["TLS_PORT_EC"])

    def check(self):
        if not self.running():
            return f"{self.label} died (exit {self.proc.returncode})"
        return None


class SippUas:
    """sipp answering each OPTIONS with 200 (sipp_uas_options.xml) on a UDP port; bounded by
    timeout(1) in case the bench itself dies."""

    def __init__(self, ctx, label="sipp-uas"):
        self.ctx = ctx
        self.label = label
        self.log = os.path.join(ctx.tmp, f"{label}.log")
        self.port = None
        self.proc = None

    def start(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["timeout", "-k", "5", str(self.ctx.max_seconds), "sipp", "-sf",
             os.path.join(self.ctx.configs, "sipp_uas_options.xml"), "-i", "127.0.0.1",
             "-p", str(self.port), "-t", "u1", "-nostdin", "-buff_size", "4194304",
             "-deadcall_wait", "1000", "-max_recv_loops", "10000", "-nd"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(self.log, "w"),
            preexec_fn=die_with_parent)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError("sipp UAS exited at start:\n" + log_tail(self.log))
            if procstat.udp_bound(self.port):
                return
            time.sleep(0.1)
        raise StartError("sipp UAS did not bind its port")

    def pids(self):
        """sipp itself, the child of timeout(1)."""
        return procstat.children(self.proc.pid) if self.proc else []

    def stop(self):
        if self.proc is None:
            return
        stop_pids(self.proc.pid, self.pids())
        self.proc.wait()
        self.proc = None
