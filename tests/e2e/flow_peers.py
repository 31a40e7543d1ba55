#!/usr/bin/env python3
"""The peers of the RFC 5626 edge scenario around one ser: phones (TLS with python's ssl module,
i.e. OpenSSL; plain TCP; UDP) register through ser to a registrar stand-in on UDP, which then sends
requests back with the Path as Route and a Request-URI naming an unreachable Contact.

usage: flow_peers.py SER_TLS_PORT SER_TCP_PORT SER_UDP_PORT REGISTRAR_PORT CAFILE

Prints one "PASS: ..." or "FAIL: ..." line per check; everything is bounded in time (each wait
at most 5 s). ser's script (flows_test.sh) sends REGISTER to the registrar with add_path() over
TLS and UDP and add_path_received() over TCP, record-routes other requests, and forwards
everything else with forward().
"""
import re
import socket
import ssl
import sys
import time

HOST = "127.0.0.1"
UNREACHABLE = "192.0.2.99:5999"  # TEST-NET-1: what a Contact behind NAT looks like from here
INSTANCE = '"<urn:uuid:00000000-0000-1000-8000-000a95a0e128>"'
results = []


def check(ok, what):
    results.append(ok)
    print(("PASS: " if ok else "FAIL: ") + what, flush=True)
    return ok


class StreamPeer:
    """A phone on one TCP or TLS connection to ser; reads framed SIP messages."""

    def __init__(self, port, cafile=None):
        raw = socket.create_connection((HOST, port), timeout=5)
        if cafile:
            ctx = ssl.create_default_context(cafile=cafile)
            ctx.check_hostname = False
            raw = ctx.wrap_socket(raw)
        self.sock = raw
        self.buf = b""
        self.local = "%s:%d" % raw.getsockname()[:2]
        self.transport = "TLS" if cafile else "TCP"

    def send(self, text):
        self.sock.sendall(text.encode())

    def recv(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end >= 0:
                m = re.search(rb"\r\nContent-Length: *(\d+)", self.buf[: head_end + 2], re.I)
                total = head_end + 4 + (int(m.group(1)) if m else 0)
                if len(self.buf) >= total:
                    msg, self.buf = self.buf[:total], self.buf[total:]
                    return msg.decode(errors="replace")
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, ssl.SSLError, OSError):
                return None
            if not chunk:
                return None
            self.buf += chunk

    def pong(self, timeout=5.0):
        """Sends a double-CRLF keep-alive ping; True when a single CRLF comes back first."""
        self.sock.sendall(b"\r\n\r\n")
        deadline = time.monotonic() + timeout
        while len(self.buf) < 2 and (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, ssl.SSLError, OSError):
                break
            if not chunk:
                break
            self.buf += chunk
        ok = self.buf.startswith(b"\r\n")
        if ok:
            self.buf = self.buf[2:]
        return ok

    def close(self):
        self.sock.close()


class DgramPeer:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.local = "%s:%d" % self.sock.getsockname()
        self.transport = "UDP"

    def bind(self, port):
        self.sock.close()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, port))
        self.local = "%s:%d" % self.sock.getsockname()

    def send_to(self, port, text):
        self.sock.sendto(text.encode(), (HOST, port))

    def recv(self, timeout=5.0):
        self.sock.settimeout(timeout)
        try:
            data, _ = self.sock.recvfrom(65536)
        except socket.timeout:
            return None
        return data.decode(errors="replace")

    def recv_matching(self, pattern, timeout=5.0):
        """The next datagram whose first line matches; earlier ones are skipped (retransmits)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            msg = self.recv(left)
            if msg is None:
                return None
            if re.match(pattern, msg):
                return msg
        return None


def header(msg, name):
    m = re.search(r"\r\n%s: *([^\r]*)" % re.escape(name), msg or "", re.I)
    return m.group(1) if m else None


def register(peer, n, outbound):
    contact = "<sip:alice%d@%s;transport=%s>" % (n, UNREACHABLE, peer.transport.lower())
    extra = ""
    if outbound:
        contact += ";reg-id=1;+sip.instance=" + INSTANCE
        extra = "Supported: path, outbound\r\n"
    return (
        "REGISTER sip:example.com SIP/2.0\r\n"
        "Via: SIP/2.0/%s %s;rport;branch=z9hG4bKreg%d\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:alice%d@example.com>;tag=r%d\r\n"
        "To: <sip:alice%d@example.com>\r\nCall-ID: reg%d@test\r\nCSeq: 1 REGISTER\r\n"
        "Contact: %s\r\nExpires: 600\r\n%sContent-Length: 0\r\n\r\n"
        % (peer.transport, peer.local, n, n, n, n, n, contact, extra)
    )


def response_to(req, code, reason, extra=""):
    """A UAS's response: the request's Via lines, From, To (with a tag), Call-ID, CSeq."""
    lines = req.split("\r\n")
    keep = [l for l in lines[1:] if re.match(r"(Via|From|Call-ID|CSeq|Record-Route):", l, re.I)]
    to = header(req, "To")
    if ";tag=" not in to:
        to += ";tag=uas"
    return (
        "SIP/2.0 %d %s\r\n%s\r\nTo: %s\r\n%sContent-Length: 0\r\n\r\n"
        % (code, reason, "\r\n".join(keep), to, extra)
    )


def from_registrar(registrar, route, user, n, method="INVITE"):
    return (
        "%s sip:%s@%s;transport=tls SIP/2.0\r\n"
        "Via: SIP/2.0/UDP %s;branch=z9hG4bKrg%s%d\r\nRoute: <%s>\r\nMax-Forwards: 70\r\n"
        "From: <sip:bob@example.com>;tag=b%d\r\nTo: <sip:%s@example.com>\r\n"
        "Call-ID: call%d@registrar\r\nCSeq: 1 %s\r\nContact: <sip:bob@%s>\r\n"
        "Content-Length: 0\r\n\r\n"
        % (method, user, UNREACHABLE, registrar.local, method.lower(), n, route, n, user, n,
           method, registrar.local)
    )


def path_uri(path):
    m = re.match(r"<([^>]*)>", path or "")
    return m.group(1) if m else ""


def registered(phone, registrar, n, outbound, send):
    """Phone n registers through ser; returns the Path the registrar saw (and answers 200)."""
    send(register(phone, n, outbound))
    req = registrar.recv_matching(r"REGISTER ")
    if not check(req is not None, "REGISTER %d over %s reached the registrar" % (n, phone.transport)):
        return None
    path = header(req, "Path")
    registrar.send_to(SER_UDP, response_to(req, 200, "OK", "Path: %s\r\n" % path))
    ok = phone.recv()
    check(ok is not None and ok.startswith("SIP/2.0 200"),
          "the registrar's 200 came back to phone %d over %s" % (n, phone.transport))
    return path


def main():
    global SER_UDP
    ser_tls, ser_tcp, SER_UDP, registrar_port = (int(a) for a in sys.argv[1:5])
    cafile = sys.argv[5]
    registrar = DgramPeer()
    registrar.bind(registrar_port)

    # 1. A phone over TLS using outbound registers; the Path names ser's UDP socket and the flow.
    phone = StreamPeer(ser_tls, cafile)
    path = registered(phone, registrar, 1, True, phone.send)
    uri = path_uri(path)
    check(re.fullmatch(r"sip:[a-z2-7]{20,}@127\.0\.0\.1:%d;lr;ob" % SER_UDP, uri) is not None,
          "Path URI has a flow token user part, ser's UDP address, lr and ob: %s" % path)

    # RFC 5626 §4.4.1: the phone's double-CRLF keep-alive is answered over TLS.
    check(phone.pong(), "a double-CRLF ping over TLS got its CRLF pong")

    # 2. The registrar's INVITE, routed by the Path, reaches the phone over its TLS connection,
    # although its Request-URI names an address nobody listens on.
    registrar.send_to(SER_UDP, from_registrar(registrar, uri, "alice1", 1))
    inv = phone.recv()
    check(inv is not None and inv.startswith("INVITE sip:alice1@%s" % UNREACHABLE),
          "the INVITE routed by the Path arrived over the phone's TLS connection")
    if inv:
        phone.send(response_to(inv, 200, "OK"))
        ok = registrar.recv_matching(r"SIP/2.0 ")
        check(ok is not None and ok.startswith("SIP/2.0 200"),
              "the phone's 200 went back to the registrar")
        # The caller's BYE follows the dialog's route set (the Record-Route reversed), not the
        # Path: the Record-Route facing the phone carries its flow token.
        rr = re.findall(r"\r\nRecord-Route: *<([^>]*)>", inv)
        registrar.send_to(SER_UDP, from_registrar(registrar, ">, <".join(reversed(rr)),
                                                  "alice1", 7, "BYE"))
        bye = phone.recv()
        check(bye is not None and bye.startswith("BYE sip:alice1@%s" % UNREACHABLE),
              "the caller's in-dialog BYE reached the phone over TLS (Record-Route %s)" % rr)
        if bye:
            phone.send(response_to(bye, 200, "OK"))
            registrar.recv_matching(r"SIP/2.0 200")

    # 3. A token edited on the way: 403, and nothing reaches the phone.
    i = uri.index(":") + 1
    forged = uri[:i] + ("b" if uri[i] == "a" else "a") + uri[i + 1:]
    registrar.send_to(SER_UDP, from_registrar(registrar, forged, "alice1", 2))
    resp = registrar.recv_matching(r"SIP/2.0 ")
    check(resp is not None and resp.startswith("SIP/2.0 403"),
          "an edited flow token is refused: %s" % (resp or "no answer").split("\r\n")[0])

    # 4. Phone 2 over TCP with add_path_received: the Path carries its source, escaped.
    phone2 = StreamPeer(ser_tcp)
    path2 = registered(phone2, registrar, 2, False, phone2.send)
    want = ";received=sip:%s%%3Btransport%%3Dtcp" % phone2.local
    check(path2 is not None and want in path2 and ";ob" not in path2,
          "add_path_received: %s" % path2)

    # 5. Phone 3 over UDP: the registrar's request goes to its source address and port.
    phone3 = DgramPeer()
    path3 = registered(phone3, registrar, 3, False, lambda t: phone3.send_to(SER_UDP, t))
    registrar.send_to(SER_UDP, from_registrar(registrar, path_uri(path3), "alice3", 3, "MESSAGE"))
    msg = phone3.recv_matching(r"MESSAGE ")
    check(msg is not None, "a request routed by a UDP flow's Path reached the phone's socket")

    # 6. A dialog: phone 1 calls through ser with ;ob in its Contact; record_route() puts the
    # flow token in the Record-Route facing it, and the callee's BYE comes back over TLS.
    phone.send(
        "INVITE sip:bob@%s SIP/2.0\r\nVia: SIP/2.0/TLS %s;rport;branch=z9hG4bKout1\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:alice1@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n"
        "Call-ID: out1@phone\r\nCSeq: 1 INVITE\r\nContact: <sip:alice1@%s;transport=tls;ob>\r\n"
        "Content-Length: 0\r\n\r\n" % (registrar.local, phone.local, UNREACHABLE))
    inv = registrar.recv_matching(r"INVITE ")
    rr = re.findall(r"\r\nRecord-Route: *<([^>]*)>", inv or "")
    check(len(rr) == 2 and re.match(r"sip:[a-z2-7]{20,}@127\.0\.0\.1:%d;transport=tls;lr$" % ser_tls,
                                    rr[1]) is not None,
          "Record-Route facing the outbound phone carries its flow token: %s" % rr)
    if len(rr) == 2:
        registrar.send_to(SER_UDP, response_to(inv, 200, "OK"))
        phone.recv()
        bye = from_registrar(registrar, rr[0] + ">, <" + rr[1], "alice1", 6, "BYE")
        registrar.send_to(SER_UDP, bye)
        got = phone.recv()
        check(got is not None and got.startswith("BYE "),
              "the callee's BYE came back over the phone's TLS connection")

    # 7. Phone 1 goes away: the same request now gets 430 Flow Failed (once ser has seen the
    # close; each try is a new transaction, bounded).
    phone.close()
    code = None
    deadline = time.monotonic() + 5
    n = 100
    while time.monotonic() < deadline:
        n += 1
        registrar.send_to(SER_UDP, from_registrar(registrar, uri, "alice1", n))
        resp = registrar.recv_matching(r"SIP/2.0 ", 1.0)
        code = resp.split(" ")[1] if resp else None
        if code == "430":
            break
    check(code == "430", "after the phone closed its connection: %s" % code)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
