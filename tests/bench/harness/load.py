"""sipbench runs: each bounded by timeout(1), its JSON line read, the servers' CPU sampled
while it runs."""

import json
import subprocess
import threading
import time

from harness import procstat
from harness.servers import die_with_parent


class LoadResult:
    def __init__(self):
        self.json = None
        self.rc = None
        self.stderr_lines = []  # (monotonic time, line)
        self.stdout = ""
        self.t_start = None
        self.t_end = None

    def first_line_time(self, needle):
        for t, line in self.stderr_lines:
            if needle in line:
                return t
        return None

    def error(self):
        """What went wrong, for the table: None when sipbench gave its JSON line."""
        if self.json is not None:
            return None
        if self.rc == 124:
            return "sipbench timed out"
        said = [line.strip() for _, line in self.stderr_lines if line.startswith("sipbench:")]
        last = said[0] if said else (self.stderr_lines[-1][1].strip() if self.stderr_lines else "")
        return f"sipbench exit {self.rc}: {last}"


def _read_lines(stream, sink):
    for line in iter(stream.readline, ""):
        sink.append((time.monotonic(), line))


def _start(ctx, args, limit, err_lines, out_lines):
    """sipbench ARGS under `timeout LIMIT`, recorded in ctx.started; its stderr and stdout
    lines appended to err_lines and out_lines as (monotonic time, line) by a thread each."""
    argv = ["timeout", "-k", "5", str(int(limit)), ctx.sipbench] + [str(a) for a in args]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
    ctx.started.append(proc)
    readers = [threading.Thread(target=_read_lines, args=(proc.stderr, err_lines)),
               threading.Thread(target=_read_lines, args=(proc.stdout, out_lines))]
    for r in readers:
        r.start()
    return proc, readers


class _Running:
    """One sipbench started: its LoadResult filled in as it runs, completed by finish()."""

    def __init__(self, ctx, args, limit):
        self.ctx = ctx
        self.result = LoadResult()
        self.result.t_start = time.monotonic()
        self.out_lines = []
        self.proc, self.readers = _start(ctx, args, limit, self.result.stderr_lines,
                                         self.out_lines)

    def finish(self):
        """Waits for the end; the exit status, stdout and JSON line into the result."""
        self.proc.wait()
        self.result.t_end = time.monotonic()
        for r in self.readers:
            r.join()
        self.ctx.started.remove(self.proc)
        self.result.rc = self.proc.returncode
        self.result.stdout = "".join(line for _, line in self.out_lines)
        self.result.json = _last_json(self.out_lines)
        return self.result


def run_sipbench(ctx, args, limit, samplers=()):
    """sipbench ARGS under `timeout LIMIT`; each sampler sampled every 0.2 s meanwhile."""
    for s in samplers:
        s.sample()
    running = _Running(ctx, args, limit)
    while running.proc.poll() is None:
        for s in samplers:
            s.sample()
        time.sleep(0.2)
    for s in samplers:
        s.sample()
    return running.finish()


def run_sipbench_many(ctx, arg_lists, limit):
    """One sipbench per ARGS list, all at once, each under `timeout LIMIT`; their results in
    the same order once every one has ended."""
    running = [_Running(ctx, args, limit) for args in arg_lists]
    return [r.finish() for r in running]


def _last_json(out_lines):
    for _, line in reversed(out_lines):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


class Background:
    """A sipbench left running (the idle mode): started, waited for a line on stderr, stopped."""

    def __init__(self, ctx, args, limit):
        self.ctx = ctx
        self.lines = []
        self.out = []
        self.proc, self.readers = _start(ctx, args, limit, self.lines, self.out)

    def wait_line(self, needle, limit):
        """The first stderr line holding needle, within limit seconds; None otherwise."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            for _, line in list(self.lines):
                if needle in line:
                    return line
            if self.proc.poll() is not None:
                return None
            time.sleep(0.1)
        return None

    def pids(self):
        """sipbench itself (the child of timeout(1))."""
        return procstat.children(self.proc.pid)

    def stop(self):
        """SIGTERM (timeout(1) passes it on); sipbench then prints its summary and exits."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            for pid in self.pids():
                procstat.kill(pid)
            self.proc.kill()
            self.proc.wait()
        for r in self.readers:
            r.join()
        self.ctx.started.remove(self.proc)
        return "".join(line for _, line in self.lines[-3:])

