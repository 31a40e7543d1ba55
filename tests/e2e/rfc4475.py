#!/usr/bin/env python3
"""Sends every RFC 4475 message of tests/data/rfc4475 to a running ser over UDP, TCP and TLS
and checks what a stateless proxy must do with it (the file's `# expect:` line): forwarded
intact to the recorder, relayed (a response), answered NNN, or dropped.

ser's script forwards every request over UDP to the recorder socket this script binds; a
response gets ser's own Via on top and its next Via pointed at the recorder. Ordering comes
from a sentinel OPTIONS sent after each message on the same socket or connection (ser runs
one worker): once the sentinel is at the recorder, anything the message caused is too.
Usage: rfc4475.py DATA_DIR REC_PORT UDP_PORT TCP_PORT TLS_PORT|0 CA_FILE
"""
import re
import socket
import ssl
import sys
import time
from pathlib import Path

HEX = re.compile(rb"<hex>([0-9A-Fa-f]*)</hex>")
DEADLINE = 5.0


def load(path):
    """The `# key: value` lines and the message octets (README.md of the data folder)."""
    lines = path.read_bytes().split(b"\n")
    meta = {}
    while lines and lines[0].startswith(b"#"):
        m = re.match(rb"# ([a-z0-9]+): (.*)$", lines.pop(0))
        if m:
            meta.setdefault(m.group(1).decode(), m.group(2).decode())
    text = HEX.sub(lambda m: bytes.fromhex(m.group(1).decode()), b"\r\n".join(lines))
    return meta, text


def headers_of(text):
    """Logical headers of the header section: lists of physical lines (folds kept)."""
    head = text.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
    out = []
    for line in head:
        if line[:1] in (b" ", b"\t") and out:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def name_of(header):
    return header[0].split(b":", 1)[0].strip().lower()


def call_id(text):
    for h in headers_of(text):
        if name_of(h) in (b"call-id", b"i"):
            return b" ".join(x.strip() for x in h).split(b":", 1)[1].strip()
    return None


def content_length(text):
    for h in headers_of(text):
        if name_of(h) in (b"content-length", b"l"):
            return int(h[0].split(b":", 1)[1])
    return None  # a datagram's body then runs to its end (RFC 3261 §18.3)


def add_rport(text):
    """Over UDP a reply goes to the Via's port unless rport asks for the source (RFC 3581)."""
    return re.sub(rb"(?im)^((?:via|v)[ \t]*:[ \t]*SIP[ \t\r\n]*/[ \t\r\n]*[0-9.]+[ \t\r\n]*/"
                  rb"[ \t\r\n]*[A-Za-z]+[ \t\r\n]+[^;,\s]+)", rb"\1;rport", text, count=1)


def as_response_via_ser(text, transport, ser_port, rec_port):
    """ser's Via on top; the RFC's first Via (now the next one) points at the recorder."""
    start, rest = text.split(b"\r\n", 1)
    branch = re.search(rb"branch=([^;,\s]+)", rest)
    rest = re.sub(rb"(?im)^(via|v)[ \t]*:[^\r\n]*",
                  b"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s" % (rec_port, branch.group(1)),
                  rest, count=1)
    ours = b"Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bKser4475\r\n" % (transport.upper().encode(),
                                                                       ser_port)
    return start + b"\r\n" + ours + rest


class Run:
    def __init__(self, argv):
        self.dir = Path(argv[1])
        self.rec_port, self.ports = int(argv[2]), {"udp": int(argv[3]), "tcp": int(argv[4])}
        if int(argv[5]):
            self.ports["tls"] = int(argv[5])
        self.tls = ssl.create_default_context(cafile=argv[6])
        self.tls.check_hostname = False
        self.rec = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rec.bind(("127.0.0.1", self.rec_port))
        self.rec.setblocking(False)
        self.sentinels = 0
        self.passed = self.failed = 0

    def sentinel(self, transport):
        self.sentinels += 1
        n = self.sentinels
        return (b"OPTIONS sip:sentinel@127.0.0.1 SIP/2.0\r\n"
                b"Via: SIP/2.0/%s 127.0.0.1:9;branch=z9hG4bKsentinel%d\r\n"
                b"From: <sip:e2e@test>;tag=s%d\r\nTo: <sip:sentinel@127.0.0.1>\r\n"
                b"Call-ID: sentinel.%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\n"
                b"Content-Length: 0\r\n\r\n" % (transport.upper().encode(), n, n, n)), n

    def connect(self, transport):
        s = socket.create_connection(("127.0.0.1", self.ports[transport]), timeout=DEADLINE)
        if transport == "tls":
            s = self.tls.wrap_socket(s, server_hostname="localhost")
        return s

    def exchange(self, transport, text, stream_cut):
        """Sends text then a sentinel; returns (what the recorder got, what came back)."""
        sentinel, n = self.sentinel(transport)
        mark = b"Call-ID: sentinel.%d\r\n" % n
        replies, conn = b"", None
        if transport == "udp":
            conn = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            conn.bind(("127.0.0.1", 0))
            conn.sendto(text, ("127.0.0.1", self.ports["udp"]))
            conn.sendto(sentinel, ("127.0.0.1", self.ports["udp"]))
        elif stream_cut:
            # A message whose body never fully arrives: closing is the only way to end it.
            with self.connect(transport) as cut:
                cut.sendall(text)
            conn = self.connect(transport)
            conn.sendall(sentinel)
        else:
            conn = self.connect(transport)
            conn.sendall(text + sentinel)
        conn.settimeout(0.02)
        got, eof, end = [], False, time.monotonic() + DEADLINE
        while time.monotonic() < end and not any(mark in g for g in got):
            try:
                while True:
                    got.append(self.rec.recv(70000))
            except BlockingIOError:
                pass
            if eof:
                break  # ser closed the connection: everything it did is done
            try:
                data = conn.recv(70000)
                eof = transport != "udp" and not data
                replies += data
            except (socket.timeout, ssl.SSLWantReadError):
                pass
            except OSError:
                eof = True
        try:
            replies += conn.recv(70000) if transport == "udp" else b""
        except (socket.timeout, OSError):
            pass
        conn.close()
        return [g for g in got if b"Call-ID: sentinel." not in g], replies

    def check(self, name, transport, meta, text):
        expect = meta["expect"]
        if transport != "udp" and "stream" in meta:
            expect = meta["stream"]
        sent = text
        ser_port = self.ports[transport]
        if text.startswith(b"SIP/"):
            sent = as_response_via_ser(text, transport, ser_port, self.rec_port)
        elif transport == "udp" and expect.startswith("reply"):
            sent = add_rport(text)
        cid = call_id(text)
        got, replies = self.exchange(transport, sent, meta.get("stream") == "drop")
        mine = [g for g in got if cid and cid in g]
        problem = self.judge(expect, text, mine, replies, transport)
        label = "%s (%s) over %s: %s" % (name, meta["rfc4475"].split()[0], transport, expect)
        if problem:
            self.failed += 1
            print("FAIL: %s: %s" % (label, problem))
        else:
            self.passed += 1
            print("PASS: %s" % label)

    @staticmethod
    def judge(expect, text, mine, replies, transport):
        if expect == "drop":
            if mine:
                return "forwarded: %r" % mine[0][:200]
            return "answered: %r" % replies[:80] if replies else None
        if expect.startswith("reply "):
            if mine:
                return "forwarded: %r" % mine[0][:200]
            want = b"SIP/2.0 %s " % expect[6:].encode()
            return None if replies.startswith(want) else "expected %r, got %r" % (want, replies[:80])
        if len(mine) != 1:
            return "expected one copy at the recorder, got %d; ser answered %r" % (len(mine),
                                                                                   replies[:80])
        out = mine[0]
        if out.split(b"\r\n", 1)[0] != text.split(b"\r\n", 1)[0]:
            return "start line changed: %r" % out.split(b"\r\n", 1)[0]
        if expect == "relay":
            return "our Via was not removed" if b"z9hG4bKser4475" in out else None
        # The body is Content-Length octets: dblreq's trailing INVITE is not part of it.
        body = text.split(b"\r\n\r\n", 1)[1][:content_length(text)]
        if out.split(b"\r\n\r\n", 1)[1] != body:
            return "body changed: %r" % out.split(b"\r\n\r\n", 1)[1][:80]
        seen_via = False
        for h in headers_of(text):
            if name_of(h) in (b"via", b"v") and not seen_via:
                seen_via = True  # ser fills received/rport in the top Via
                continue
            if name_of(h) == b"max-forwards":
                continue
            for line in h:
                if line + b"\r\n" not in out:
                    return "header line changed or lost: %r" % line
        return None

    def run(self):
        for path in sorted(self.dir.glob("*.sip")):
            meta, text = load(path)
            for transport in self.ports:
                self.check(path.stem, transport, meta, text)
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(Run(sys.argv).run())
