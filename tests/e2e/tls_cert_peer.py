#!/usr/bin/env python3
"""A TLS peer for the client-domain tests: serves many connections at once (openssl s_server
serves one at a time) and logs, per connection, the client certificate's subject CN and the SNI
the client sent, then the first line of each SIP message received on it:

    conn 1 cert=client.test sni=localhost
    conn 1 got OPTIONS sip:a1@127.0.0.1:5071 SIP/2.0

Usage: tls_cert_peer.py PORT CERT KEY CAFILE... (listens on [::]:PORT, IPv4 too; prints
"listening" when ready). Client certificates are requested and verified against the CA files
(a handshake without one is accepted: cert=none). Stops after 120 s.
"""
import socket
import ssl
import sys
import threading

PORT, CERT, KEY, CAS = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
lock = threading.Lock()
count = 0


def say(line):
    with lock:
        print(line, flush=True)


def serve(conn, n):
    try:
        cert = conn.getpeercert()
        cn = "none"
        if cert:
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        cn = value
        say("conn %d cert=%s sni=%s" % (n, cn, getattr(conn, "sni", None) or "none"))
        buf = b""
        while True:
            data = conn.recv(65536)
            if not data:
                break
            buf += data
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)  # test messages have no body
                say("conn %d got %s" % (n, head.split(b"\r\n", 1)[0].decode(errors="replace")))
    except (OSError, ssl.SSLError) as e:
        say("conn %d error %s" % (n, e))
    finally:
        conn.close()


def main():
    global count
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    for ca in CAS:
        ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL

    def on_sni(sock, name, _ctx):
        sock.sni = name

    ctx.sni_callback = on_sni
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::", PORT))
    srv.listen(16)
    srv.settimeout(120)
    say("listening")
    while True:
        try:
            raw, _ = srv.accept()
        except socket.timeout:
            return
        count += 1
        raw.settimeout(60)
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError) as e:
            say("conn %d handshake failed %s" % (count, e))
            raw.close()
            continue
        threading.Thread(target=serve, args=(conn, count), daemon=True).start()


main()
