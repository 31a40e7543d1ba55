#!/usr/bin/env python3
"""A small authoritative DNS server for the e2e tests (python3-dnslib), on loopback UDP.

Serves the records of a zone file (standard master-file lines, absolute names); a name it does
not hold gets NXDOMAIN, a type it does not hold for a name NODATA, both with the SOA (RFC 2308).
Names given with --slow are answered only after --delay seconds (a slow server), while every
other query is answered at once. Writes --ready once bound. Stops after --lifetime seconds.

  dns_server.py --listen 127.0.0.1 --port 5353 --zone zone.txt [--slow a.test. --delay 3]
"""
import argparse
import socket
import sys
import threading
import time

from dnslib import QTYPE, RCODE, RR, DNSRecord


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--zone", required=True)
    ap.add_argument("--slow", action="append", default=[])
    ap.add_argument("--delay", type=float, default=3.0)
    ap.add_argument("--ready")
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=600.0)
    args = ap.parse_args()

    with open(args.zone) as f:
        records = RR.fromZone(f.read())
    soa = RR.fromZone("test. 60 IN SOA ns.test. admin.test. 1 60 60 60 30")[0]
    slow = {s.lower().rstrip(".") for s in args.slow}
    log = open(args.log, "a", buffering=1) if args.log else None

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.listen, args.port))
    lock = threading.Lock()
    if args.ready:
        open(args.ready, "w").write("ready\n")

    def answer(data, peer):
        try:
            q = DNSRecord.parse(data)
        except Exception:  # noqa: BLE001 - a test server ignores garbage
            return
        name = str(q.q.qname).lower().rstrip(".")
        qtype = q.q.qtype
        reply = q.reply()
        same_name = [r for r in records if str(r.rname).lower().rstrip(".") == name]
        if not same_name:
            reply.header.rcode = RCODE.NXDOMAIN
            reply.add_auth(soa)
        else:
            hits = [r for r in same_name if r.rtype == qtype]
            for r in hits:
                reply.add_answer(r)
            if not hits:
                reply.add_auth(soa)
        if log:
            log.write("%.3f %s %s\n" % (time.time(), name, QTYPE.get(qtype)))
        if name in slow:
            time.sleep(args.delay)
        with lock:
            sock.sendto(reply.pack(), peer)

    deadline = time.time() + args.lifetime
    sock.settimeout(1.0)
    while time.time() < deadline:
        try:
            data, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        threading.Thread(target=answer, args=(data, peer), daemon=True).start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
