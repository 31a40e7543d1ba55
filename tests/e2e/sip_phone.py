#!/usr/bin/env python3
"""A phone behind NAT for the edge test: it registers over one TLS connection to ser as an
RFC 5626 outbound UA (Supported: path, outbound; +sip.instance and reg-id; ;ob in its Contact)
with a Contact nobody can reach (the NAT), answers the calls that come back over that very
connection (180, 200 with the Record-Route copied, then the ACK and the BYE), and disconnects.

Each event is one line on stdout, flushed, for the test to wait on:
  registered 200 OK | Path: ...
  invite <Call-ID> | Record-Route: ...
  ack <Call-ID>
  bye <Call-ID>
  closed
A failure is a line starting with "error:" and exit status 1.

Usage: sip_phone.py --ser 127.0.0.1:PORT --ca CA.pem --registrar HOST:PORT --contact-port N
                    [--calls N] [--timeout S]
"""
import argparse
import socket
import ssl
import sys
import time
import uuid


def say(line):
    print(line, flush=True)


class SipStream:
    """SIP messages framed by Content-Length over a stream (RFC 3261 §18.3)."""

    def __init__(self, sock, deadline):
        self.sock = sock
        self.buf = b""
        self.deadline = deadline

    def send(self, text):
        self.sock.sendall(text.replace("\n", "\r\n").encode())

    def recv(self):
        while True:
            self.buf = self.buf.lstrip(b"\r\n")  # CRLF keep-alive pongs
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buf[:end].decode(errors="replace")
                length = 0
                for line in head.split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() in ("content-length", "l"):
                        length = int(value.strip())
                total = end + 4 + length
                if len(self.buf) >= total:
                    msg = self.buf[:total].decode(errors="replace")
                    self.buf = self.buf[total:]
                    return Message(msg)
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no SIP message in time")
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("ser closed the connection")
            self.buf += data


class Message:
    def __init__(self, text):
        head = text.split("\r\n\r\n", 1)[0]
        lines = head.split("\r\n")
        self.first = lines[0]
        self.headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip(), value.strip()))

    def is_request(self, method=None):
        if self.first.startswith("SIP/2.0"):
            return False
        return method is None or self.first.split(" ", 1)[0] == method

    def all(self, name):
        compact = {"via": "v", "call-id": "i", "from": "f", "to": "t", "contact": "m"}
        names = {name.lower(), compact.get(name.lower(), "")}
        return [v for n, v in self.headers if n.lower() in names]

    def one(self, name):
        values = self.all(name)
        return values[0] if values else ""


def register(stream, args, local, instance):
    reg_host, reg_port = args.registrar.rsplit(":", 1)
    branch = "z9hG4bK" + uuid.uuid4().hex[:16]
    stream.send(
        f"REGISTER sip:{reg_host}:{reg_port} SIP/2.0\n"
        f"Via: SIP/2.0/TLS {local};rport;branch={branch}\n"
        "Max-Forwards: 70\n"
        f"From: <sip:phone@{reg_host}>;tag={uuid.uuid4().hex[:8]}\n"
        f"To: <sip:phone@{reg_host}>\n"
        f"Call-ID: {uuid.uuid4().hex}@phone\n"
        "CSeq: 1 REGISTER\n"
        "Supported: path, outbound\n"
        f"Contact: <sip:phone@{local};transport=tls;ob>"
        f';+sip.instance="<urn:uuid:{instance}>";reg-id=1\n'
        "Expires: 600\n"
        "Content-Length: 0\n\n"
    )
    while True:
        r = stream.recv()
        if r.is_request():
            continue
        code = r.first.split(" ", 2)[1]
        if code.startswith("1"):
            continue
        if code != "200":
            raise RuntimeError(f"REGISTER answered {r.first}")
        say(f"registered {r.first[8:]} | Path: {', '.join(r.all('Path'))}")
        return


def response(req, code, reason, to_tag, contact=None):
    lines = [f"SIP/2.0 {code} {reason}"]
    for v in req.all("Via"):
        lines.append(f"Via: {v}")
    for v in req.all("Record-Route"):
        lines.append(f"Record-Route: {v}")
    lines.append(f"From: {req.one('From')}")
    to = req.one("To")
    if to_tag and ";tag=" not in to:
        to += f";tag={to_tag}"
    lines.append(f"To: {to}")
    lines.append(f"Call-ID: {req.one('Call-ID')}")
    lines.append(f"CSeq: {req.one('CSeq')}")
    if contact:
        lines.append(f"Contact: {contact}")
    lines.append("Content-Length: 0")
    return "\n".join(lines) + "\n\n"


def answer_calls(stream, args, local):
    """Answers args.calls calls: 180, 200, waits for the ACK, answers the BYE with 200."""
    done = 0
    tag = uuid.uuid4().hex[:8]
    contact = f"<sip:phone@{local};transport=tls;ob>"
    while done < args.calls:
        m = stream.recv()
        if not m.is_request():
            continue
        call = m.one("Call-ID")
        if m.is_request("INVITE"):
            say(f"invite {call} | Record-Route: {', '.join(m.all('Record-Route'))}")
            stream.send(response(m, 180, "Ringing", tag, contact))
            stream.send(response(m, 200, "OK", tag, contact))
        elif m.is_request("ACK"):
            say(f"ack {call}")
        elif m.is_request("BYE"):
            say(f"bye {call}")
            stream.send(response(m, 200, "OK", None))
            done += 1
        else:
            stream.send(response(m, 200, "OK", None))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ser", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--registrar", required=True)
    p.add_argument("--contact-port", type=int, required=True)
    p.add_argument("--calls", type=int, default=1)
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()
    deadline = time.monotonic() + args.timeout
    host, port = args.ser.rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=args.ca)
    try:
        raw = socket.create_connection((host, int(port)), timeout=args.timeout)
        sock = ctx.wrap_socket(raw, server_hostname="localhost")
        # The NAT: the address in Via and Contact is one nobody listens on; only the flow works.
        local = f"127.0.0.1:{args.contact_port}"
        stream = SipStream(sock, deadline)
        register(stream, args, local, uuid.uuid4())
        answer_calls(stream, args, local)
        sock.close()
        say("closed")
    except Exception as e:  # one line for the test's log, whatever failed
        say(f"error: {type(e).__name__}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
