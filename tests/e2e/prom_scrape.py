#!/usr/bin/env python3
"""A Prometheus scraper's view of ser's metrics endpoint, with python3's urllib.

  prom_scrape.py get URL OUT          body to OUT; prints "STATUS CONTENT-TYPE"
  prom_scrape.py status URL METHOD    prints the status code of one METHOD request
  prom_scrape.py value FILE NAME [LABEL=VALUE...]
                                      prints the sum of NAME's samples whose labels match
                                      (nothing when there is no such sample)
"""
import sys
import urllib.error
import urllib.request


def request(url, method):
    req = urllib.request.Request(url, method=method, data=b"x" if method in ("POST", "PUT") else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def parse_labels(text):
    """{a="x",b="y\\"z"} -> dict, unescaping \\\\, \\" and \\n."""
    labels, i = {}, 0
    while i < len(text):
        eq = text.index("=", i)
        name = text[i:eq].strip(", ")
        j, value = eq + 2, []
        while text[j] != '"':
            if text[j] == "\\":
                j += 1
                value.append({"n": "\n"}.get(text[j], text[j]))
            else:
                value.append(text[j])
            j += 1
        labels[name] = "".join(value)
        i = j + 1
    return labels


def value(path, name, wanted):
    total, found = 0.0, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        series, _, number = line.rstrip("\n").rpartition(" ")
        metric, _, rest = series.partition("{")
        if metric != name:
            continue
        labels = parse_labels(rest[:-1]) if rest else {}
        if all(labels.get(k) == v for k, v in wanted.items()):
            total += float(number)
            found = True
    if found:
        print("%.17g" % total)


def main():
    cmd = sys.argv[1]
    if cmd == "get":
        status, ctype, body = request(sys.argv[2], "GET")
        open(sys.argv[3], "wb").write(body)
        print(status, ctype)
    elif cmd == "status":
        print(request(sys.argv[2], sys.argv[3])[0])
    elif cmd == "value":
        wanted = dict(a.split("=", 1) for a in sys.argv[4:])
        value(sys.argv[2], sys.argv[3], wanted)


main()
