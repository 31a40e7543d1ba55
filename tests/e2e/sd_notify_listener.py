#!/usr/bin/env python3
"""Stands in for systemd's notification socket (sd_notify(3)): binds a unix datagram socket
at PATH and writes one line per datagram to OUT: "pid=<sender pid> <fields joined by ';'>".
The sender's pid comes from SCM_CREDENTIALS, as systemd checks it for NotifyAccess=main.
Stops after STOPPING=1 or after LIMIT seconds (default 120)."""
import os
import socket
import struct
import sys
import time

path, out = sys.argv[1], sys.argv[2]
limit = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
sock.bind(path)
deadline = time.monotonic() + limit
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            data, anc, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            break
        pid = -1
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", payload[:12])[0]
        fields = data.decode("utf-8", "replace").strip("\n").split("\n")
        f.write("pid=%d %s\n" % (pid, ";".join(fields)))
        if "STOPPING=1" in fields:
            break
os.unlink(path)
