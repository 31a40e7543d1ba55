#!/usr/bin/env python3
"""SIP side of dns_test.sh: a UDP and a TCP responder (200 to every request) and a UDP client
that sends requests through ser and reads the answers. Prints PASS:/FAIL: lines and the
latency figures; exits 1 when a check failed. Everything on 127.0.0.1, bounded in time."""
import argparse
import socket
import ssl
import statistics
import sys
import threading
import time

FAILS = 0


def check(ok, what):
    global FAILS
    print(("PASS: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        FAILS += 1


def header(msg, name):
    for line in msg.split("\r\n")[1:]:
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def ok_reply(req):
    lines = req.split("\r\n")
    keep = [l for l in lines[1:] if l.split(":", 1)[0].strip().lower() in
            ("via", "from", "call-id", "cseq")]
    to = [l for l in lines[1:] if l.lower().startswith("to:")]
    return "\r\n".join(["SIP/2.0 200 OK"] + keep + [to[0] + ";tag=uas"] +
                       ["Content-Length: 0", "", ""])


class Uas:
    """Answers 200 to every request over UDP and TCP on one port; records the Call-IDs."""

    def __init__(self, port, tcp, tls=None):
        self.seen = []
        self.port = port
        self.tls = tls
        if tcp:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(("127.0.0.1", port))
            self.sock.listen(16)
            threading.Thread(target=self.accept, daemon=True).start()
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("127.0.0.1", port))
            threading.Thread(target=self.udp, daemon=True).start()

    def udp(self):
        while True:
            data, peer = self.sock.recvfrom(65535)
            req = data.decode(errors="replace")
            if req.startswith("SIP/2.0"):
                continue
            self.seen.append(header(req, "Call-ID"))
            self.sock.sendto(ok_reply(req).encode(), peer)

    def accept(self):
        while True:
            conn, _ = self.sock.accept()
            if self.tls:
                try:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError):
                    continue
            threading.Thread(target=self.stream, args=(conn,), daemon=True).start()

    def stream(self, conn):
        buf = b""
        while True:
            data = conn.recv(65535)
            if not data:
                return
            buf += data
            while b"\r\n\r\n" in buf:
                head, rest = buf.split(b"\r\n\r\n", 1)
                length = int(header(head.decode() + "\r\n", "Content-Length") or 0)
                if len(rest) < length:
                    break
                buf = rest[length:]
                req = head.decode() + "\r\n\r\n"
                self.seen.append(header(req, "Call-ID"))
                conn.sendall(ok_reply(req).encode())


class Client:
    def __init__(self, ser_port):
        self.ser = ("127.0.0.1", ser_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.answers = {}  # Call-ID -> (status, arrival order, time)
        self.order = 0
        self.cv = threading.Condition()
        self.n = 0
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        while True:
            data, _ = self.sock.recvfrom(65535)
            msg = data.decode(errors="replace")
            if not msg.startswith("SIP/2.0 "):
                continue
            code = int(msg.split(" ", 2)[1])
            if code < 200:
                continue
            with self.cv:
                self.order += 1
                self.answers.setdefault(header(msg, "Call-ID"),
                                        (code, self.order, time.monotonic()))
                self.cv.notify_all()

    def send(self, uri, method="OPTIONS"):
        self.n += 1
        cid = "dns-%d-%d@test" % (self.n, time.monotonic_ns())
        msg = ("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=z9hG4bKd%d%d\r\n"
               "Max-Forwards: 10\r\nFrom: <sip:t@test>;tag=c\r\nTo: <%s>\r\nCall-ID: %s\r\n"
               "CSeq: 1 %s\r\nContent-Length: 0\r\n\r\n" %
               (method, uri, self.port, self.n, time.monotonic_ns(), uri, cid, method))
        self.sock.sendto(msg.encode(), self.ser)
        return cid, time.monotonic()

    def wait(self, cids, timeout):
        end = time.monotonic() + timeout
        with self.cv:
            while not all(c in self.answers for c in cids):
                left = end - time.monotonic()
                if left <= 0:
                    break
                self.cv.wait(left)
            return [self.answers.get(c) for c in cids]

    def rtt(self, uri, n):
        times = []
        for _ in range(n):
            cid, t0 = self.send(uri)
            got = self.wait([cid], 2)[0]
            if got:
                times.append((got[2] - t0) * 1000)
        return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ser", type=int, required=True)
    ap.add_argument("--udp-uas", type=int, required=True)
    ap.add_argument("--tcp-uas", type=int, required=True)
    ap.add_argument("--max-pending", type=int, required=True)
    ap.add_argument("--tls-uas", type=int)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    a = ap.parse_args()
    udp = Uas(a.udp_uas, False)
    tcp = Uas(a.tcp_uas, True)
    c = Client(a.ser)

    if a.tls_uas:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        tls = Uas(a.tls_uas, True, ctx)
        # sips: NAPTR SIPS+D2T -> SRV _sips._tcp -> A: TLS to the SRV target's port, the URI's
        # host checked in its certificate (RFC 5922).
        cid, _ = c.send("sips:bob@sip2.test")
        got = c.wait([cid], 8)[0]
        check(got is not None and got[0] == 200 and cid in tls.seen,
              "sips:sip2.test (NAPTR SIPS+D2T -> SRV -> A) reached tls:%d: %s" % (a.tls_uas, got))

    # NAPTR -> SRV -> A: sip:svc.test reaches the SRV target's port over UDP.
    cid, _ = c.send("sip:bob@svc.test")
    got = c.wait([cid], 5)[0]
    check(got is not None and got[0] == 200 and cid in udp.seen,
          "sip:svc.test (NAPTR SIP+D2U -> SRV -> A) reached udp:%d: %s" % (a.udp_uas, got))

    # SRV over TCP, the first target (priority 10) a closed port: the next one gets it.
    cid, _ = c.send("sip:bob@tcpsvc.test;transport=tcp")
    got = c.wait([cid], 8)[0]
    check(got is not None and got[0] == 200 and cid in tcp.seen,
          "sip:tcpsvc.test;transport=tcp: first SRV target refused, the second (tcp:%d) "
          "answered: %s" % (a.tcp_uas, got))

    cid, _ = c.send("sip:bob@nx.test")
    got = c.wait([cid], 5)[0]
    check(got is not None and got[0] == 503, "sip:nx.test (NXDOMAIN) answered 503: %s" % (got,))

    # A slow DNS server does not hold up other traffic of the same (only) worker.
    slow, _ = c.send("sip:bob@slow.test:%d" % a.udp_uas)
    time.sleep(0.2)  # the slow lookup is under way (its answer comes after 3 s)
    fast_ip, _ = c.send("sip:bob@127.0.0.1:%d" % a.udp_uas)
    fast_cached, _ = c.send("sip:bob@svc.test")
    r = c.wait([slow, fast_ip, fast_cached], 10)
    check(all(x is not None and x[0] == 200 for x in r),
          "slow.test, a numeric and a cached next hop all answered 200: %s" % (r,))
    if all(r):
        check(r[1][1] < r[0][1] and r[2][1] < r[0][1],
              "the numeric and the cached next hop's 200 arrived before the slow lookup's "
              "(arrival order slow=%d numeric=%d cached=%d)" % (r[0][1], r[1][1], r[2][1]))

    # The held queue's bound: dns_max_pending requests wait for slow2.test, one more gets 503.
    held = [c.send("sip:bob@slow2.test:%d" % a.udp_uas)[0] for _ in range(a.max_pending)]
    over, _ = c.send("sip:bob@slow2.test:%d" % a.udp_uas)
    r = c.wait(held + [over], 10)
    check(r[-1] is not None and r[-1][0] == 503, "request over dns_max_pending answered 503: %s" % (r[-1],))
    check(all(x is not None and x[0] == 200 for x in r[:-1]),
          "the %d held requests were forwarded once slow2.test resolved: %s" % (a.max_pending, r[:-1]))
    if all(r):
        check(all(r[-1][1] < x[1] for x in r[:-1]), "the 503 came before the held requests' 200")

    # What a pending slow lookup costs other traffic: round trips of numeric next hops.
    base = c.rtt("sip:bob@127.0.0.1:%d" % a.udp_uas, 200)
    c.send("sip:bob@slow3.test:%d" % a.udp_uas)
    time.sleep(0.1)
    t0 = time.monotonic()
    during = c.rtt("sip:bob@127.0.0.1:%d" % a.udp_uas, 200)
    inside = time.monotonic() - t0 < 2.5
    if base and during:
        print("FIGURE: numeric next hop round trip through ser: median %.3f ms (p99 %.3f) alone, "
              "%.3f ms (p99 %.3f) while a 3 s lookup is pending%s" %
              (statistics.median(base), sorted(base)[int(len(base) * 0.99) - 1],
               statistics.median(during), sorted(during)[int(len(during) * 0.99) - 1],
               "" if inside else " (the run outlasted the lookup)"), flush=True)
    check(len(during) == 200, "200 numeric requests answered while a slow lookup was pending")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
