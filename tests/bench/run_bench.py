#!/usr/bin/env python3
"""`make bench` / `make bench-quick`: ser and Kamailio side by side on this machine.

Runs both servers with equivalent stateless configurations (tests/bench/configs/), loads them
with sipbench (and a sipp UAS for the forward figure), alternating the two run by run, and
prints for each figure the medians with [min-max] over the repetitions, the ratio ser /
Kamailio, the issue's target and whether it is met. The table is also written as markdown and
JSON (--out). A figure that fails (a server that crashed or did not start, nothing answered, a
sipbench error) is shown as such and the bench goes on; the exit status is non-zero only for
a fault of the bench itself. Loopback only; every process started is stopped by its PID and
the temporary directory removed, on failure and on SIGINT/SIGTERM too.

  usage: run_bench.py --ser build/ser --sipbench build/sipbench [--quick] [--out DIR]
                      [--reps N] [--only stream,forward,handshakes,idle]
"""

import argparse
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree

from harness import report  # noqa: E402
from harness.figures import Bench, Plan  # noqa: E402
from harness.servers import HarnessError, stop_pids  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Context:
    """What every run needs: binaries, the temp dir, the certificates, server settings."""

    def __init__(self, args, tmp):
        self.ser = os.path.abspath(args.ser)
        self.sipbench = os.path.abspath(args.sipbench)
        self.tmp = tmp
        self.certs = os.path.join(tmp, "certs")
        self.configs = os.path.join(SOURCE, "tests", "bench", "configs")
        self.only = set(args.only.split(",")) if args.only else set()
        self.shm_mb = 1024           # -m / shm_mem_size of both servers
        self.max_connections = 16384
        self.max_seconds = 600       # the longest any helper process may live
        self.ser_udp_buffers = ""
        self.started = []            # sipbench processes running (stopped at exit)
        self.started_uas = []


def output(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def first_line(text):
    return text.splitlines()[0] if text else "?"


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def machine_speed():
    """The machine's speed now: X25519 key agreements per second on one core (`openssl speed`,
    1 s). A virtual machine's cores change speed from hour to hour (by 2x here); this figure
    at the start and the end tells in which phase a run's figures were taken."""
    for line in output(["openssl", "speed", "-mr", "-seconds", "1", "ecdhx25519"]).splitlines():
        parts = line.split(":")
        if line.startswith("+F5:") and len(parts) >= 4:
            try:
                return f"{float(parts[3]):,.0f} X25519 key agreements/s on one core (openssl speed)"
            except ValueError:
                break
    return "?"


def about(ctx, args):
    commit = output(["git", "-C", SOURCE, "describe", "--always", "--dirty", "--abbrev=10"])
    sipp = [ln for ln in output(["sipp", "-v"]).splitlines() if "SIPp" in ln]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{cpu_model()}, {os.cpu_count()} CPUs, kernel {platform.release()}",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "machine speed at start": machine_speed(),
        "ser": f"{first_line(output([ctx.ser, '-V']))} (commit {commit or '?'})",
        "Kamailio": first_line(output(["kamailio", "-v"])),
        "OpenSSL": output(["openssl", "version"]) or "?",
        "sipp": sipp[0].strip() if sipp else "?",
        "repetitions": args.reps,
    }


def certificate_kinds(ctx):
    """What the two server certificates really are (the figures name them)."""
    kinds = {}
    for name, want in (("server-ec", "prime256v1"), ("server", "Public-Key: (2048 bit)")):
        text = output(["openssl", "x509", "-noout", "-text", "-in",
                       os.path.join(ctx.certs, f"{name}.pem")])
        if want not in text:
            raise HarnessError(f"{name}.pem from make-test-certs.sh is not {want}")
        kinds[name] = "ECDSA P-256 (prime256v1)" if name == "server-ec" else "RSA-2048"
    return ", ".join(f"{k}.pem {v}" for k, v in kinds.items())


def udp_buffer_lines(ctx):
    """ser's udp_rcvbuf/udp_sndbuf set like Kamailio's maxbuffer (4 MiB) when this ser has
    them (`ser -c` accepts them); otherwise nothing, and a note says so."""
    lines = "udp_rcvbuf = 4194304\nudp_sndbuf = 4194304"
    probe = os.path.join(ctx.tmp, "probe.cfg")
    with open(probe, "w") as f:
        f.write(f"{lines}\nlisten = udp:127.0.0.1:0\nroute {{ sl_send_reply(200, \"OK\"); }}\n")
    ok = subprocess.run([ctx.ser, "-c", "-f", probe], capture_output=True,
                        timeout=20).returncode == 0
    return lines if ok else ""


def check_tools(args):
    missing = [p for p in (args.ser, args.sipbench) if not os.access(p, os.X_OK)]
    if missing:
        raise HarnessError(f"not built: {' '.join(missing)} (make build)")
    for tool in ("kamailio", "sipp", "openssl", "timeout"):
        if shutil.which(tool) is None:
            raise HarnessError(f"{tool} is not installed (tools/install-deps.sh bench)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ser", required=True)
    ap.add_argument("--sipbench", required=True)
    ap.add_argument("--quick", action="store_true", help="1 repetition, shorter runs")
    ap.add_argument("--reps", type=int, help="repetitions (default 3, quick 1)")
    ap.add_argument("--out", default="build/bench", help="where results.md/.json go")
    ap.add_argument("--only", help="groups to run: stream,forward,handshakes,idle")
    args = ap.parse_args()
    plan = Plan(args.quick)
    if args.reps:
        plan.reps = args.reps
    args.reps = plan.reps
    check_tools(args)

    tmp = tempfile.mkdtemp(prefix="ser-bench.")
    ctx = Context(args, tmp)
    bench = None

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    started = time.monotonic()
    try:
        print(f"bench: making certificates in {ctx.certs}", flush=True)
        subprocess.run([os.path.join(SOURCE, "tools", "make-test-certs.sh"), ctx.certs],
                       check=True, capture_output=True, timeout=300)
        ctx.ser_udp_buffers = udp_buffer_lines(ctx)
        meta = {"target": "bench-quick" if args.quick else "bench", "about": about(ctx, args),
                "plan": vars(plan), "notes": notes(ctx)}
        meta["about"]["certificates"] = certificate_kinds(ctx)
        for k, v in meta["about"].items():
            print(f"bench: {k}: {v}", flush=True)
        results = report.Results()
        bench = Bench(ctx, plan, results, lambda s: print(s, flush=True))
        bench.run()
        bench.stop_all()  # the end's speed is the idle machine's, as the start's
        meta["about"]["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        meta["about"]["machine speed at end"] = machine_speed()
        meta["about"]["bench time"] = f"{time.monotonic() - started:.0f} s"
        os.makedirs(args.out, exist_ok=True)
        md = os.path.join(args.out, "results.md")
        js = os.path.join(args.out, "results.json")
        print()
        print(report.write(results, meta, md, js))
        print(f"bench: written {md} and {js}")
        return 0
    except HarnessError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as e:
        print(f"bench: error: {' '.join(e.cmd)} failed:\n{e.stderr.decode(errors='replace')}",
              file=sys.stderr)
        return 2
    finally:
        if bench is not None:
            bench.stop_all()
        for proc in list(ctx.started):
            stop_pids(proc.pid, [])
        for uas in list(ctx.started_uas):
            uas.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def notes(ctx):
    out = [
        "Kamailio runs its handshake and idle figures (c, d, e) with tcp_children = 1: "
        "Debian's 5.6.3 crashes under concurrent TLS handshakes in several TCP workers "
        "(kamailio#3791). Figures a, b and the latency use children = 2, tcp_children = 2; ser "
        "uses children = 2 throughout (except the children = 1 row).",
        "Kamailio runs with -x tlsf -X tlsf (TLSF for shared and private memory): its default "
        "qm allocator, with Debian's memory debugging, cost it 2-4x the CPU per message.",
        "Per CPU-second figures divide by the server's CPU only, so Kamailio's single TCP "
        "worker does not lower its handshake figures; its wall-clock rates (d) are those of "
        "one worker.",
        "Configurations: tests/bench/configs/ (kamailio.cfg with kamailio_tls.cfg, ser.cfg, "
        "ser_forward.cfg, sipp_uas_options.xml); certificates from tools/make-test-certs.sh "
        "(server-ec: ECDSA P-256, server: RSA-2048); sipbench is the load for every figure.",
    ]
    if ctx.ser_udp_buffers:
        out.append("ser's udp_rcvbuf/udp_sndbuf set to 4 MiB, as Kamailio's maxbuffer.")
    else:
        out.append("This ser has no udp_rcvbuf/udp_sndbuf: its UDP buffers are the kernel's "
                   "defaults (Kamailio's maxbuffer is 4 MiB).")
    return out


if __name__ == "__main__":
    sys.exit(main())
