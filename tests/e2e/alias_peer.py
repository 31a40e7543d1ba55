#!/usr/bin/env python3
"""A peer asking ser for an RFC 5923 alias, and a registrar stand-in that then sends it a request.

usage: alias_peer.py SER_STREAM_PORT SER_UDP_PORT REGISTRAR_PORT X [CERTS CERT_NAME]

The peer connects to ser (TCP, or TLS with CERTS/CERT_NAME.pem as its client certificate) and
sends a MESSAGE whose Via is `HOST:X;alias` (HOST: 127.0.0.1 over TCP, localhost over TLS), which
ser relays to the registrar on UDP. The registrar then sends ser a MESSAGE for sip:peer@HOST:X.
The test listens on X itself, counting connections. Prints "relayed" or "not relayed", then
"over the aliased connection", "new connection" (something connected to X) or "nowhere".
Bounded: each wait at most 5 s.
"""
import socket
import ssl
import sys
import time


def request(method, ruri, via, n):
    return (f"{method} {ruri} SIP/2.0\r\nVia: {via};branch=z9hG4bKal{n}\r\nMax-Forwards: 70\r\n"
            f"From: <sip:a@test>;tag={n}\r\nTo: <sip:b@test>\r\nCall-ID: al{n}@test\r\n"
            f"CSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n").encode()


def main():
    stream, pu, r, x = (int(a) for a in sys.argv[1:5])
    tls = len(sys.argv) > 6
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", x))
    listener.listen(8)
    listener.settimeout(0.2)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", r))
    udp.settimeout(5)
    peer = socket.create_connection(("127.0.0.1", stream), timeout=5)
    host, proto = "127.0.0.1", "TCP"
    if tls:
        certs, name = sys.argv[5], sys.argv[6]
        ctx = ssl.create_default_context(cafile=f"{certs}/ca.pem")
        ctx.check_hostname = False
        ctx.load_cert_chain(f"{certs}/{name}.pem", f"{certs}/{name}.key")
        peer = ctx.wrap_socket(peer)
        host, proto = "localhost", "TLS"
    peer.sendall(request("MESSAGE", f"sip:registrar@127.0.0.1:{r}",
                         f"SIP/2.0/{proto} {host}:{x};alias", 1))
    got, _ = udp.recvfrom(65536)
    print("relayed" if got.startswith(b"MESSAGE ") else "not relayed")
    udp.sendto(request("MESSAGE", f"sip:peer@{host}:{x};transport={proto.lower()}",
                       f"SIP/2.0/UDP 127.0.0.1:{r}", 2), ("127.0.0.1", pu))
    peer.settimeout(0.2)
    deadline = time.monotonic() + 5
    over_peer = accepted = False
    while time.monotonic() < deadline and not (over_peer or accepted):
        try:
            over_peer = b"MESSAGE sip:peer@" in peer.recv(65536)
        except (socket.timeout, ssl.SSLError):
            pass
        try:
            listener.accept()
            accepted = True
        except socket.timeout:
            pass
    print("over the aliased connection" if over_peer else "new connection" if accepted else "nowhere")


if __name__ == "__main__":
    main()
