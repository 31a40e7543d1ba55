"""The table of `make bench`: each figure's median with [min-max] over the repetitions for
Kamailio and ser, the ratio of the medians, the issue's target and whether it is met; written
as markdown (to paste into the README) and as JSON."""

import json
import statistics


class Results:
    def __init__(self):
        self.runs = []

    def add(self, figure, side, rep, values, failure, note=""):
        self.runs.append({"figure": figure, "side": side, "rep": rep, "values": values,
                          "failure": failure, "note": note})

    def values(self, figure, side, metric):
        return [r["values"][metric] for r in self.runs
                if r["figure"] == figure and r["side"] == side and not r["failure"]
                and r["values"] and r["values"].get(metric) is not None]

    def failures(self, figure, side):
        return [r["failure"] for r in self.runs
                if r["figure"] == figure and r["side"] == side and r["failure"]]


class Row:
    """One line of a table. target: ("ratio", x) ser/other >= x; ("ser_max", x) ser's median
    <= x; ("ser_zero",) ser's value 0 in every run; None: no target, shown for scale."""

    def __init__(self, label, figure, metric, unit="", target=None, other="kamailio",
                 mine="ser"):
        self.label, self.figure, self.metric, self.unit = label, figure, metric, unit
        self.target, self.other, self.mine = target, other, mine


MAIN_ROWS = [
    Row("a. OPTIONS answered per server CPU-second (200 over TLS, 100 conn. x 8 pipelined)",
        "reply", "per_cpu", "", ("ratio", 2.0)),
    Row("   same, answered per second (wall clock)", "reply", "rate", "/s"),
    Row("b. OPTIONS forwarded TLS -> UDP to a sipp UAS, answered per server CPU-second",
        "forward", "per_cpu", "", ("ratio", 2.0)),
    Row("   same, requests lost per run", "forward", "lost", "", ("ser_zero",)),
    Row("   same, datagrams the server's UDP sockets dropped per run", "forward", "udp_drops", ""),
    Row("   same, datagrams the sipp UAS's socket dropped per run", "forward", "uas_udp_drops", ""),
    Row("   same, the sipp UAS's CPU (share of one core)", "forward", "uas_cpu_util", ""),
    Row("c. full handshakes per CPU-second, ECDSA P-256, TLS 1.2", "full:ec:1.2", "per_cpu", "",
        ("ratio", 1.0)),
    Row("   ECDSA P-256, TLS 1.3", "full:ec:1.3", "per_cpu", "", ("ratio", 1.0)),
    Row("   RSA-2048, TLS 1.2", "full:rsa:1.2", "per_cpu", "", ("ratio", 1.0)),
    Row("   RSA-2048, TLS 1.3", "full:rsa:1.3", "per_cpu", "", ("ratio", 1.0)),
    Row("d. resumed TLS 1.2 handshakes per second (wall clock)", "resumed:1.2", "rate", "/s",
        ("ratio", 1.5)),
    Row("   resumed TLS 1.2 per CPU-second", "resumed:1.2", "per_cpu", ""),
    Row("   resumed TLS 1.3 (tickets) per second (wall clock)", "resumed:1.3", "rate", "/s",
        ("ratio", 2.0)),
    Row("   resumed TLS 1.3 per CPU-second", "resumed:1.3", "per_cpu", ""),
    Row("   share of TLS 1.3 connections resumed", "resumed:1.3", "resumed_pct", "%"),
    Row("e. idle TLS 1.3 connections: server PSS per connection", "idle", "pss_per_conn_kib",
        " KiB"),
    Row("   same, RSS per connection (Kamailio: summed over its processes)", "idle",
        "rss_per_conn_kib", " KiB"),
    Row("f. OPTIONS over TLS at a fixed 20,000/s: p50 latency", "latency", "p50", " us"),
    Row("   p99 latency", "latency", "p99", " us", ("ser_max", 1000)),
    Row("   p99.9 latency", "latency", "p999", " us"),
]

SSERVER_ROWS = [
    Row(f"full handshakes per CPU-second, {name}, TLS {version}", f"full:{cert}:{version}",
        "per_cpu", "", ("ratio", 1.0), other="s_server")
    for cert, name in (("ec", "ECDSA P-256"), ("rsa", "RSA-2048")) for version in ("1.2", "1.3")
]

CHILDREN_ROWS = [
    Row("full TLS 1.3 handshakes per second (wall clock), RSA-3072", "children", "rate", "/s",
        ("ratio", 1.6), other="ser-c1"),
    Row("   ser's CPU during the run (cores)", "children", "cores", "", other="ser-c1"),
    Row("   sipbench's CPU per handshake (ms), the load tool's share of the 2 cores",
        "children", "client_ms", " ms", other="ser-c1"),
    Row("same on ECDSA P-256 (load-tool bound: sipbench's CPU per handshake exceeds ser's)",
        "children:ec", "rate", "/s", other="ser-c1"),
    Row("   sipbench's CPU per handshake (ms)", "children:ec", "client_ms", " ms",
        other="ser-c1"),
]


def _fmt(x, unit=""):
    if x is None:
        return "-"
    if float(x).is_integer() and abs(x) < 1e6:
        return f"{int(x):,}" + unit
    if unit in ("%", " KiB", " ms") or abs(x) < 10:
        text = f"{x:,.1f}" if abs(x) >= 10 else f"{x:,.2f}"
    else:
        text = f"{x:,.0f}"
    return text + unit


def summarize(results, figure, side, metric):
    vals = results.values(figure, side, metric)
    fails = results.failures(figure, side)
    out = {"n": len(vals), "failed": len(fails), "failures": sorted(set(fails))}
    if vals:
        out.update(median=statistics.median(vals), min=min(vals), max=max(vals),
                   values=vals)
    return out


def _cell(s, unit):
    if "median" not in s:
        if s["failed"]:
            return "FAILED: " + "; ".join(s["failures"])[:100].replace("|", "/")
        return "-"
    text = _fmt(s["median"], unit)
    if s["n"] > 1:
        text += f" [{_fmt(s['min'], unit).removesuffix(unit)}-{_fmt(s['max'], unit)}]"
    if s["failed"]:
        text += f" ({s['failed']} failed: {s['failures'][0][:60]})".replace("|", "/")
    return text


def evaluate(row, other, mine):
    ratio = None
    if "median" in other and "median" in mine and other["median"]:
        ratio = mine["median"] / other["median"]
    t = row.target
    if t is None:
        return ratio, "-", "-"
    if t[0] == "ratio":
        met = "?" if ratio is None else ("yes" if ratio >= t[1] else "NO")
        return ratio, f">= {t[1]:g}x", met
    if t[0] == "ser_max":
        met = "?" if "median" not in mine else ("yes" if mine["median"] <= t[1] else "NO")
        return ratio, f"ser <= {t[1]:,}{row.unit}", met
    if t[0] == "ser_zero":
        met = "?" if "median" not in mine else ("yes" if mine["max"] == 0 and not mine["failed"]
                                                else "NO")
        return ratio, "ser 0 in every run", met
    raise ValueError(t)


def table(results, rows, headers):
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    data = []
    for row in rows:
        other = summarize(results, row.figure, row.other, row.metric)
        mine = summarize(results, row.figure, row.mine, row.metric)
        ratio, target, met = evaluate(row, other, mine)
        data.append({"figure": row.label.strip(), "key": f"{row.figure}/{row.metric}",
                     row.other: other, row.mine: mine, "ratio": ratio, "target": target,
                     "met": met})
        ratio_text = "-" if ratio is None else f"{ratio:.2f}"
        lines.append(f"| {row.label.strip()} | {_cell(other, row.unit)} | {_cell(mine, row.unit)}"
                     f" | {ratio_text} | {target} | {met} |")
    return lines, data


def render(results, meta):
    """(markdown text, JSON-able dict) of the whole report."""
    md = [f"# `make {meta['target']}`: ser against Kamailio, side by side", ""]
    md += [f"- {k}: {v}" for k, v in meta["about"].items()]
    md += ["", "Medians of the repetitions with [min-max]; CPU is the server's own (ser: all its "
           "threads; Kamailio: all its processes; s_server: its process), never the load "
           "tool's. Ratio = ser / the other side's median.", ""]
    main, main_data = table(results, MAIN_ROWS,
                            ["figure", "Kamailio", "ser", "ratio", "target", "met?"])
    md += main + ["", "Full handshakes against `openssl s_server` (same certificate, same run):",
                  ""]
    ref, ref_data = table(results, SSERVER_ROWS,
                          ["figure", "openssl s_server", "ser", "ratio", "target", "met?"])
    md += ref + ["", "ser alone, children = 1 against children = 2 (the ratio is the scaling):",
                 ""]
    ch, ch_data = table(results, CHILDREN_ROWS,
                        ["figure", "children = 1", "children = 2", "ratio", "target", "met?"])
    md += ch + [""] + [f"- {n}" for n in meta["notes"] + run_notes(results)]
    doc = {"meta": meta, "tables": {"main": main_data, "s_server": ref_data,
                                    "children": ch_data},
           "runs": results.runs}
    return "\n".join(md) + "\n", doc


def run_notes(results):
    """What the table alone does not say: crashes, and a sipp UAS that may have been the limit."""
    out = []
    crashes = [r for r in results.runs if r["failure"]
               and ("CRASHED" in r["failure"] or "died" in r["failure"])]
    for r in crashes:
        out.append(f"{r['side']} crashed in figure {r['figure']}, repetition {r['rep'] + 1}: "
                   f"{r['failure']}")
    busy = [r["values"]["uas_cpu_util"] for r in results.runs
            if r["values"] and (r["values"].get("uas_cpu_util") or 0) > 0.9]
    if busy:
        out.append(f"the sipp UAS used {max(busy):.0%} of a core in a forward run: it may be "
                   "what limits that figure")
    return out


def write(results, meta, md_path, json_path):
    text, doc = render(results, meta)
    with open(md_path, "w") as f:
        f.write(text)
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=1)
    return text
