#!/usr/bin/env python3
"""dask_test.py: the distributed audit (jwtbatch_dask, tools/jwtbatch-dask) on a LocalCluster of 2
worker processes, loopback only. The merged report must equal the single-process
`jwtbatch audit --json` report count for count (raw text with --extract over two files, and one
token per line), also when a worker process is killed in the middle of the run.

usage: dask_test.py JWTBATCH_CLI REPO_DIR SCRATCH_DIR   (PYTHONPATH: build/python)
"""
import functools
import json
import os
import random
import signal
import subprocess
import sys

import jwtbatch_dask
from report_compare import diff

NOW = 1767225600
ISS, AUD = "https://issuer.example.com", "https://api.example.com"


def make_logs(corpus, scratch):
    """Two raw logs (access-log and JSON lines, tokens of the demo corpus, some repeated, lines
    without tokens, CRLF and a last line without a newline) and one token-per-line file."""
    tokens = [t for t in open(os.path.join(corpus, "tokens.txt")).read().split("\n") if t and len(t) < 3000]
    rng = random.Random(7)
    paths = []
    for n, name in enumerate(("a.log", "b.log")):
        lines = []
        for i in range(2500):
            r = rng.random()
            t = rng.choice(tokens)
            if r < 0.35:
                lines.append(f'10.0.{i % 256}.{n} - - "GET /api?access_token={t} HTTP/1.1" 200')
            elif r < 0.6:
                lines.append(json.dumps({"msg": "request", "auth": "Bearer " + t, "i": i}))
            elif r < 0.7:
                lines.append(f"Authorization: Bearer {t}\r")
            else:
                lines.append(f"GET /healthz {i}")
        path = os.path.join(scratch, name)
        with open(path, "w") as f:
            f.write("\n".join(lines))  # no final newline
        paths.append(path)
    plain = os.path.join(scratch, "plain.txt")
    with open(plain, "w") as f:
        f.write("\n".join(rng.choice(tokens) for _ in range(3000)) + "\n")
    return paths, plain


def local_report(cli, corpus, scratch, logs, extract):
    out = os.path.join(scratch, "local.json")
    cmd = [cli, "audit", "--jwks", os.path.join(corpus, "jwks.json"), "--now", str(NOW), "--iss", ISS,
           "--aud", AUD, "--examples", "300", "--json", out] + (["--extract"] if extract else []) + logs
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return open(out).read()


def spec(corpus, extract):
    args = jwtbatch_dask.parse_args(["--scheduler", "local:2", "--jwks", os.path.join(corpus, "jwks.json"),
                                     "--now", str(NOW), "--iss", ISS, "--aud", AUD, "--threads", "1", "--examples", "300"]
                                    + (["--extract"] if extract else []) + ["x"])
    return jwtbatch_dask.make_spec(args)


def kill_once(marker, target, spec_, path, source, start, end, before):
    """A partition task that SIGKILLs its own worker process the first time it runs on partition
    `target` (the marker file records that it happened); then audits as usual."""
    if start == target:
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
        except FileExistsError:
            pass
    return jwtbatch_dask.audit_partition(spec_, path, source, start, end, before)


def check(name, local, remote):
    d = diff(local, remote)
    assert not d, f"{name}: merged report differs from `jwtbatch audit`:\n" + "\n".join(d)
    r = json.loads(remote)
    lines = {e["line"] for f in r["findings"] for e in f["examples"]}
    assert len(lines) > 100 and max(lines) > 2000, "examples should span the partitions"
    print(f"{name}: equal count for count ({r['totals']['tokens']} tokens, {r['totals']['lines']} lines)")


def main():
    cli, repo, scratch = sys.argv[1:4]
    corpus = os.path.join(repo, "corpus", "demo")
    os.makedirs(scratch, exist_ok=True)
    logs, plain = make_logs(corpus, scratch)
    client, cluster = jwtbatch_dask.connect("local:2", 1)
    try:
        assert len(client.scheduler_info()["workers"]) == 2
        part = 64 << 10  # about 20 partitions per log, cut in the middle of lines
        raw_local = local_report(cli, corpus, scratch, logs, True)
        assert json.loads(raw_local)["totals"]["tokens"] > 2000
        check("extract, 2 files, 2 workers", raw_local, jwtbatch_dask.run(client, logs, spec(corpus, True), part))
        plain_local = local_report(cli, corpus, scratch, [plain], False)
        check("lines, 2 workers", plain_local, jwtbatch_dask.run(client, [plain], spec(corpus, False), 100 << 10))

        # A worker dies in the middle of a partition: Dask runs it again, nothing lost or doubled.
        marker = os.path.join(scratch, "killed")
        if os.path.exists(marker):
            os.remove(marker)
        pids_before = set(client.run(os.getpid).values())
        task = functools.partial(kill_once, marker, 3 * part)
        killed = jwtbatch_dask.run(client, logs, spec(corpus, True), part, task=task)
        assert os.path.exists(marker), "the kill did not happen"
        dead = int(open(marker).read())
        assert dead in pids_before, (dead, pids_before)
        client.wait_for_workers(2, timeout=60)
        pids_after = set(client.run(os.getpid).values())
        assert dead not in pids_after, "the killed worker is still listed"
        check("extract, worker killed mid-run", raw_local, killed)
    finally:
        client.close()
        cluster.close()

    # The command itself: same JSON and an HTML page.
    out_json, out_html = os.path.join(scratch, "dask.json"), os.path.join(scratch, "dask.html")
    r = subprocess.run([sys.executable, os.path.join(repo, "tools", "jwtbatch-dask"), "--scheduler", "local:2",
                        "--jwks", os.path.join(corpus, "jwks.json"), "--now", str(NOW), "--iss", ISS, "--aud", AUD,
                        "--examples", "300", "--extract", "--partition-bytes", str(48 << 10), "--json", out_json, "--html", out_html]
                       + logs, check=True, capture_output=True, text=True)
    check("tools/jwtbatch-dask --scheduler local:2", raw_local, open(out_json).read())
    assert "<svg" in open(out_html).read()
    assert "long_lived" in r.stdout, r.stdout[:500]
    print("dask_test: all checks passed")


if __name__ == "__main__":
    main()
