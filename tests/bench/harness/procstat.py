"""What a server process costs, read from /proc: CPU time, memory, its child processes."""

import os
import signal
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (which may hold spaces)."""
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()


def _run_ns(pid):
    """The run time of every thread of pid in nanoseconds (the first field of each
    /proc/PID/task/TID/schedstat): the time utime + stime count in clock ticks, at 1 ns
    instead of 10 ms. None where the kernel does not give it."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except (FileNotFoundError, ProcessLookupError):
        return None
    total = 0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that ended meanwhile
        except (IndexError, ValueError):
            return None
    return total or None


def _stat_seconds(pid):
    fields = _stat_fields(pid)
    # After the name: state(0) ppid(1) ... utime(11) stime(12) (proc(5) fields 14 and 15).
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def cpu_seconds(pids):
    """The CPU time of each process (all its threads), summed; a vanished process counts 0.
    Read from the threads' schedstat, else utime + stime of /proc/PID/stat."""
    total = 0.0
    for pid in pids:
        try:
            ns = _run_ns(pid)
            total += ns / 1e9 if ns is not None else _stat_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def children(pid):
    """The processes whose parent is pid (Kamailio's workers under its main process)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if int(_stat_fields(entry)[1]) == pid:
                out.append(int(entry))
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return out


def kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        return _stat_fields(pid)[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _rollup_kib(pid, key):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def pss_kib(pids):
    """Proportional set size summed over the processes: shared pages counted once in all."""
    return sum(_rollup_kib(pid, "Pss") for pid in pids)


def rss_kib(pids):
    return sum(_rollup_kib(pid, "Rss") for pid in pids)


def _udp_sockets(port):
    """The /proc/net/udp rows (split) of the IPv4 UDP sockets bound to port."""
    hexport = f":{port:04X}"
    with open("/proc/net/udp") as f:
        rows = [line.split() for line in list(f)[1:]]
    return [fields for fields in rows if fields[1].endswith(hexport)]


def udp_bound(port):
    return bool(_udp_sockets(port))


def udp_drops(port):
    """Datagrams the kernel dropped on the UDP sockets bound to port (all of them: one per
    worker with SO_REUSEPORT), from the last column of /proc/net/udp."""
    return sum(int(fields[-1]) for fields in _udp_sockets(port))


class CpuSampler:
    """CPU seconds of a set of processes sampled against the monotonic clock, so that the
    utilisation over a window inside a run can be read afterwards."""

    def __init__(self, pids):
        self.pids = list(pids)
        self.samples = []  # (monotonic time, cpu seconds)

    def sample(self):
        self.samples.append((time.monotonic(), cpu_seconds(self.pids)))

    def _at(self, t):
        """CPU seconds at time t, interpolated between the two samples around it."""
        s = self.samples
        if t <= s[0][0]:
            return s[0][1]
        for (t0, c0), (t1, c1) in zip(s, s[1:]):
            if t0 <= t <= t1:
                return c0 + (c1 - c0) * (t - t0) / (t1 - t0) if t1 > t0 else c1
        return s[-1][1]

    def utilisation(self, start, end):
        """CPU seconds per second over [start, end]; None without two samples in it."""
        if len(self.samples) < 2 or end <= start:
            return None
        return (self._at(end) - self._at(start)) / (end - start)
