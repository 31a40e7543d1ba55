#!/usr/bin/env python3
"""A SIP client that sends OPTIONS requests at a steady rate and never reads an answer.

usage: stalled_reader.py HOST PORT RATE MAX_SECONDS [CAFILE]

With CAFILE the connection is TLS (verified against CAFILE, no SNI), else plain TCP. Its receive
buffer is shrunk before connecting, so the peer's answers stop being acknowledged at once. Prints
"closed X.XX" (seconds from the connect until a send failed: the server closed the connection)
or "open X.XX" when MAX_SECONDS passed first. Sends that would block are retried with the same
bytes, so a request is never cut in two.
"""
import socket
import ssl
import sys
import time


def request(port, n):
    return (
        f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/TCP 127.0.0.1:9;rport;branch=z9hG4bKstall{n}\r\n"
        f"From: <sip:stall@test>;tag={n}\r\nTo: <sip:127.0.0.1>\r\n"
        f"Call-ID: stall{n}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def main():
    host, port, rate, max_seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    cafile = sys.argv[5] if len(sys.argv) > 5 else None
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.settimeout(5)
    raw.connect((host, port))
    sock = raw
    if cafile:
        ctx = ssl.create_default_context(cafile=cafile)
        ctx.check_hostname = False
        sock = ctx.wrap_socket(raw)  # handshake now
    start = time.monotonic()
    sock.settimeout(0.05)
    out = bytearray()
    sent_requests = 0
    while True:
        now = time.monotonic()
        elapsed = now - start
        if elapsed >= max_seconds:
            print(f"open {elapsed:.2f}")
            return
        # Requests due by now (at most 1 MB waiting: the server stopped reading us anyway).
        while sent_requests < int(elapsed * rate) + 1 and len(out) < (1 << 20):
            out += request(port, sent_requests)
            sent_requests += 1
        try:
            n = sock.send(bytes(out[:16384]))
            del out[:n]
        except (socket.timeout, ssl.SSLWantWriteError, ssl.SSLWantReadError):
            pass
        except (OSError, ssl.SSLError):
            print(f"closed {time.monotonic() - start:.2f}")
            return
        if not out:
            time.sleep(min(1.0 / rate, 0.05))


if __name__ == "__main__":
    main()
