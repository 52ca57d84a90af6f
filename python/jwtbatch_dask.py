"""jwtbatch_dask: the audit of token logs on a Dask cluster (tools/jwtbatch-dask;
docs/audit.md "Distributed audit").

Each input file is cut into byte ranges of about --partition-bytes. A first pass counts each raw
range's newlines (in parallel, on the workers), so that every partition knows the line number of
its first line; then each partition audits the lines that *start* inside its range (so every line
belongs to exactly one partition) through the `jwtbatch` binding, on the workers, and returns its
partial report (JSON text, the "jwtbatch-audit-1" format). The partial reports merge pairwise in a
tree (jwtbatch.merge_reports) into the report of the whole input: the same report, count for count,
as `jwtbatch audit` run on one machine, with the same file:line examples.

A task's result is a value: a worker that dies mid-task delivers nothing, Dask runs the task again
elsewhere, and nothing is lost or counted twice.
"""
import argparse
import json
import os
import sys

_VERIFIERS = {}


def _verifier(spec):
    """The worker process's verifier for `spec` (built once per process and spec)."""
    import jwtbatch  # imported on the worker
    key = json.dumps(spec, sort_keys=True)
    v = _VERIFIERS.get(key)
    if v is None:
        v = jwtbatch.Verifier(spec["jwks"], **spec["options"])
        _VERIFIERS.clear()
        _VERIFIERS[key] = v
    return v


def count_newlines(path, start, end):
    """Newlines in bytes [start, end) of `path`."""
    n = 0
    with open(path, "rb") as f:
        f.seek(start)
        left = end - start
        while left > 0:
            b = f.read(min(left, 8 << 20))
            if not b:
                break
            n += b.count(b"\n")
            left -= len(b)
    return n


def _line_start_at_or_after(f, pos, size):
    """The first offset s >= pos where a line starts (s == 0 or byte s-1 is a newline), else size."""
    if pos <= 0:
        return 0
    if pos >= size:
        return size
    f.seek(pos - 1)
    at = pos - 1
    while True:
        b = f.read(1 << 16)
        if not b:
            return size
        i = b.find(b"\n")
        if i >= 0:
            return at + i + 1
        at += len(b)


def audit_partition(spec, path, source, start, end, newlines_before):
    """Audits the lines of `path` that start in [start, end); `newlines_before`: newlines in
    [0, start). Returns the partial report (JSON text)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        a = _line_start_at_or_after(f, start, size)
        b = size if end >= size else _line_start_at_or_after(f, end, size)
        if b < a:
            b = a
        f.seek(a)
        data = f.read(b - a)
    first_line = newlines_before + 1 + (1 if a > start else 0)
    return _verifier(spec).audit(data, first_line=first_line, source=source, now=spec["now"])


def merge(a, b):
    import jwtbatch
    return jwtbatch.merge_reports(a, b)


def _prefix(counts):
    out, total = [], 0
    for c in counts:
        out.append(total)
        total += c
    return out


def partitions(paths, partition_bytes):
    """[(path, source, start, end)] raw byte ranges, partition_bytes each (the last one shorter);
    an empty file gets one empty range."""
    out = []
    for source in paths:
        path = os.path.abspath(source)
        size = os.path.getsize(path)
        ranges = [(s, min(s + partition_bytes, size)) for s in range(0, size, partition_bytes)] or [(0, 0)]
        out.extend((path, source, s, e) for s, e in ranges)
    return out


def build_graph(paths, spec, partition_bytes, task=audit_partition):
    """The Dask graph (a dask.delayed value) of the merged report of `paths`."""
    import dask
    parts = []
    by_file = {}
    for p in partitions(paths, partition_bytes):
        by_file.setdefault(p[0], []).append(p)
    for path, plist in by_file.items():
        counts = [dask.delayed(count_newlines, pure=True)(path, s, e) for _, _, s, e in plist]
        before = dask.delayed(_prefix, pure=True)(counts)
        for k, (path_, source, s, e) in enumerate(plist):
            parts.append(dask.delayed(task, pure=True)(spec, path_, source, s, e, before[k]))
    level = parts
    while len(level) > 1:  # a tree of pairwise merges
        level = [dask.delayed(merge, pure=True)(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0]


def run(client, paths, spec, partition_bytes, task=audit_partition):
    """Runs the audit of `paths` on `client`'s cluster; returns the merged report (JSON text)."""
    graph = build_graph(paths, spec, partition_bytes, task)
    return client.compute(graph).result()


def connect(scheduler, worker_threads):
    """A distributed.Client: to `scheduler` (an address), or to a new LocalCluster for "local:N"
    (N worker processes, one Dask thread each)."""
    from distributed import Client, LocalCluster
    if scheduler.startswith("local:"):
        n = int(scheduler[6:])
        if n < 1:
            raise ValueError("local:N needs N >= 1")
        # Workers are new processes: they must find the binding where this process did.
        here = os.path.dirname(os.path.abspath(__import__("jwtbatch").__file__))
        pp = os.environ.get("PYTHONPATH", "")
        if here not in pp.split(os.pathsep):
            os.environ["PYTHONPATH"] = here + (os.pathsep + pp if pp else "")
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, worker_dashboard_address=None)
        return Client(cluster), cluster
    return Client(scheduler), None


def make_spec(args):
    jwks = []
    for path in args.jwks:
        with open(path, "r", encoding="utf-8") as f:
            jwks.append(json.load(f))
    keys = []
    for doc in jwks:
        keys.extend(doc.get("keys", [doc]) if isinstance(doc, dict) else [])
    options = {}
    for name in ("alg", "require", "typ"):
        v = getattr(args, name)
        if v is not None:
            options[name] = v
    for name in ("iss", "aud"):
        v = getattr(args, name)
        if v:
            options[name] = v
    for name in ("leeway", "max_age", "max_token_bytes", "max_lifetime", "large_token_bytes", "exact_limit",
                 "replay_limit", "examples"):
        v = getattr(args, name)
        if v is not None:
            options[name] = v
    if args.extract:
        options["extract"] = True
    options["threads"] = args.threads
    import time
    now = args.now if args.now is not None else int(time.time())
    return {"jwks": json.dumps({"keys": keys}), "options": options, "now": now}


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="jwtbatch-dask",
        description="jwtbatch audit on a Dask cluster: the same report as `jwtbatch audit`, "
                    "computed by partitions on the workers and merged.")
    p.add_argument("--scheduler", "--dask", required=True,
                   help="scheduler address (tcp://HOST:8786), or local:N for N local worker processes")
    p.add_argument("--jwks", action="append", required=True, help="keys (repeatable)")
    p.add_argument("--alg")
    p.add_argument("--iss", action="append")
    p.add_argument("--aud", action="append")
    p.add_argument("--require")
    p.add_argument("--leeway", type=int)
    p.add_argument("--now", type=int)
    p.add_argument("--max-age", type=int)
    p.add_argument("--typ")
    p.add_argument("--max-token-bytes", type=int)
    p.add_argument("--extract", action="store_true")
    p.add_argument("--max-lifetime", type=int)
    p.add_argument("--large-token-bytes", type=int)
    p.add_argument("--exact-limit", type=int)
    p.add_argument("--replay-limit", type=int)
    p.add_argument("--examples", type=int)
    p.add_argument("--json", help="write the report (jwtbatch-audit-1 JSON) here")
    p.add_argument("--html", help="write the HTML page here")
    p.add_argument("--threads", type=int, default=None,
                   help="jwtbatch threads per worker process (default: cores / N for local:N, else every core)")
    p.add_argument("--partition-bytes", type=int, default=32 << 20,
                   help="bytes per partition (default 32 MiB)")
    p.add_argument("--stats", action="store_true", help="wall time and partitions on standard error")
    p.add_argument("logs", nargs="+", metavar="LOG")
    args = p.parse_args(argv)
    if args.partition_bytes < 1:
        p.error("--partition-bytes must be positive")
    return args


def main(argv=None):
    import time
    args = parse_args(sys.argv[1:] if argv is None else argv)
    import jwtbatch
    for log in args.logs:
        if not os.path.isfile(log):
            print(f"jwtbatch-dask: cannot read {log}", file=sys.stderr)
            return 2
    if args.threads is None:
        if args.scheduler.startswith("local:"):
            args.threads = max(1, (os.cpu_count() or 1) // max(1, int(args.scheduler[6:] or 1)))
        else:
            args.threads = 0
    try:
        spec = make_spec(args)
        jwtbatch.Verifier(spec["jwks"], **spec["options"])  # options and keys checked here first
    except (ValueError, OSError) as e:
        print(f"jwtbatch-dask: {e}", file=sys.stderr)
        return 2
    client, cluster = connect(args.scheduler, args.threads)
    try:
        t0 = time.monotonic()
        report = run(client, args.logs, spec, args.partition_bytes)
        wall = time.monotonic() - t0
        workers = len(client.scheduler_info()["workers"])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    sys.stdout.write(jwtbatch.render_report(report, "summary"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(report)
    if args.html:
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(jwtbatch.render_report(report, "html"))
    if args.stats:
        r = json.loads(report)
        n = len(partitions(args.logs, args.partition_bytes))
        print(f"total    {r['totals']['tokens']} tokens in {wall:.3f} s wall on {workers} worker(s), "
              f"{n} partition(s): {r['totals']['tokens'] / wall:.0f} tokens/s", file=sys.stderr)
    return 0
