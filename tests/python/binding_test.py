#!/usr/bin/env python3
"""binding_test.py: the `jwtbatch` Python binding, in a process that loaded OpenSSL first.

usage: binding_test.py JWTBATCH_CLI REPO_DIR SCRATCH_DIR   (PYTHONPATH: build/python)
"""
import hashlib  # OpenSSL's libcrypto.so.3 enters the process before jwtbatch
import ssl
import json
import os
import subprocess
import sys
import threading

import jwtbatch
from report_compare import diff

NOW = 1767225600
POLICY = {"iss": "https://issuer.example.com", "aud": ["https://api.example.com"]}


def main():
    cli, repo, scratch = sys.argv[1:4]
    corpus = os.path.join(repo, "corpus", "demo")
    os.makedirs(scratch, exist_ok=True)
    assert hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf"), "OpenSSL sha256"
    assert "libssl.so.3" in open("/proc/self/maps").read() or ssl.OPENSSL_VERSION.startswith("OpenSSL 3")
    provider = jwtbatch.crypto_provider()
    print("host:", ssl.OPENSSL_VERSION, "| jwtbatch's SHA256 is in", provider)
    assert provider.endswith("android/libcrypto.so.0"), provider

    jwks = open(os.path.join(corpus, "jwks.json")).read()
    v = jwtbatch.Verifier(jwks, **POLICY)
    raw = open(os.path.join(corpus, "tokens.txt"), "rb").read()
    expected = [s for s in open(os.path.join(corpus, "expected.txt")).read().split("\n") if s]
    tokens = raw.split(b"\n")[: len(expected)]

    # Every token's verdict, from a list of bytes, a list of str and a buffer of lines.
    for form, batch in (("list of bytes", tokens), ("list of str", [t.decode() for t in tokens]), ("buffer", raw)):
        st = v.verify(batch, now=NOW)
        assert isinstance(st, bytes) and len(st) == len(expected), (form, len(st))
        got = [jwtbatch.STATUS_NAMES[c] for c in st]
        bad = [(i, g, e) for i, (g, e) in enumerate(zip(got, expected)) if g != e]
        assert not bad, f"{form}: {len(bad)} verdicts differ, first {bad[:3]}"
    d = v.verify(tokens, now=NOW, details=True)
    ok_algs = {jwtbatch.ALG_NAMES[a] for s, a in zip(d["status"], d["alg"]) if s == 0}
    assert ok_algs == {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                       "ES256", "ES384", "ES512", "EdDSA"}, ok_algs
    exps = memoryview(d["exp"]).cast("q")
    assert len(exps) == len(tokens) and all(exps[i] > NOW for i, s in enumerate(d["status"]) if s == 0)
    print(f"verify: {len(expected)} verdicts equal expected.txt, ok for all 13 algorithms")

    # Threads at once on one verifier (the GIL is released inside verify and audit).
    errors = []

    def worker():
        try:
            for _ in range(5):
                assert [jwtbatch.STATUS_NAMES[c] for c in v.verify(raw, now=NOW)] == expected
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors

    # Options are checked, with their reasons.
    for bad in ({"leeway": -1}, {"alg": "none"}, {"no_such_option": 1}, {"extract": 2}):
        try:
            jwtbatch.Verifier(jwks, **bad)
            raise AssertionError(f"{bad} accepted")
        except ValueError as e:
            assert str(e), bad
    try:
        jwtbatch.merge_reports("{}", "not json")
        raise AssertionError("bad report merged")
    except ValueError:
        pass

    # The audit of the whole file equals `jwtbatch audit --json`, and so does the merge of two
    # partitions cut at a line start (line numbers continue through first_line).
    path = os.path.join(corpus, "tokens.txt")
    local_json = os.path.join(scratch, "local.json")
    subprocess.run([cli, "audit", "--jwks", os.path.join(corpus, "jwks.json"), "--now", str(NOW),
                    "--iss", POLICY["iss"], "--aud", POLICY["aud"][0], "--json", local_json, path],
                   check=True, stdout=subprocess.DEVNULL)
    local = open(local_json).read()
    whole = v.audit(raw, first_line=1, source=path, now=NOW)
    assert not diff(local, whole), diff(local, whole)
    cut = raw.index(b"\n", len(raw) // 2) + 1
    first = v.audit(raw[:cut], first_line=1, source=path, now=NOW)
    second = v.audit(raw[cut:], first_line=raw[:cut].count(b"\n") + 1, source=path, now=NOW)
    merged = jwtbatch.merge_reports(first, second)
    assert json.loads(first)["totals"]["tokens"] < json.loads(merged)["totals"]["tokens"]
    assert not diff(local, merged), diff(local, merged)
    html = jwtbatch.render_report(merged, "html")
    assert html.lstrip().lower().startswith("<!doctype html") and "long_lived" in html
    summary = jwtbatch.render_report(merged, "summary")
    assert str(json.loads(merged)["totals"]["tokens"]) in summary.replace(",", "")
    print("audit: whole and two merged partitions equal `jwtbatch audit --json`")
    print("binding_test: all checks passed")


if __name__ == "__main__":
    main()
