#!/usr/bin/env python3
"""fuzz_seeds.py: writes the seed corpora of the fuzz targets into corpus/fuzz/<target>/.

Run from the repository root: python3 tools/fuzz_seeds.py. Deterministic: every seed is either
written out here or cut from corpus/demo (the project's own generated corpus, seed 1), so running
it again gives the same files. Each seed starts with the byte its target reads first (see the
comment at the top of tests/fuzz/<target>_fuzz.cpp). Only the PEM seeds of jwks_fuzz are not
derived from corpus/demo: they are fixed test keys written out below.
"""
import base64
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "corpus", "demo")
OUT = os.path.join(ROOT, "corpus", "fuzz")


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def demo_tokens():
    with open(os.path.join(DEMO, "tokens.txt")) as f:
        tokens = f.read().split("\n")
    with open(os.path.join(DEMO, "cases.txt")) as f:
        cases = f.read().split("\n")
    return [(c.split(), t) for c, t in zip(cases, tokens) if c]


def main():
    for t in ("base64url", "token", "json", "jwks"):
        shutil.rmtree(os.path.join(OUT, t), ignore_errors=True)
    tokens = demo_tokens()

    # token: the first small valid token of each algorithm, the first small token of each failure
    # kind (byte 0x80: default policy, the corpus's own time), the same under the issuer/audience
    # policy (0x81), and three tokens of one batch.
    seen = set()
    picked = []
    for (kind, alg, profile), tok in tokens:
        key = alg if kind == "ok" else kind.split("/")[0]
        if profile != "small" or key in seen or len(tok) > 2000:
            continue
        seen.add(key)
        picked.append(tok)
        write("token", f"{'ok-' + alg if kind == 'ok' else key}", b"\x80" + tok.encode())
    for i, tok in enumerate(picked[:4]):
        write("token", f"policy1-{i}", b"\x81" + tok.encode())
    write("token", "batch-3", b"\x80" + "\n".join(picked[:3]).encode())

    # json: header and claims of demo tokens (mode 0 claims, 1 header, 2 both), and edge cases.
    for i, tok in enumerate(picked[:6]):
        parts = tok.split(".")
        if len(parts) != 3:
            continue
        try:
            h, c = unb64(parts[0]), unb64(parts[1])
        except Exception:
            continue
        write("json", f"claims-{i}", b"\x00" + c)
        write("json", f"header-{i}", b"\x01" + h)
        write("json", f"both-{i}", b"\x02" + h + b"\xff" + c)
    edge = [
        b"\x00" + b'{"exp":1e300,"nbf":-1,"aud":["a","b"],"iss":"i","sub":"s","jti":"j"}',
        b"\x00" + b'{"exp":1,"exp":2}',
        b"\x00" + b'{"a":{"b":[{"c":1,"c\\u0000":2}]},"exp":18446744073709551615}',
        b"\x00" + b'{"d":' + b"[" * 40 + b"]" * 40 + b',"exp":99999999999}',
        b"\x01" + b'{"alg":"HS256","crit":["x"],"x":1}',
        b"\x01" + b'{"alg":"HS256","kid":"hs256-1","typ":"JWT","jku":"https://e","jwk":{"kty":"oct"}}',
        b"\x01" + b'{"alg":"none"}',
        # Many one-letter audiences: the shape that overran the arena (tests/conformance/fuzz_regression_test.cpp).
        b"\x00" + b'{"exp":9999999999,"aud":[' + b",".join([b'"a"'] * 40) + b"]}",
        # At the limits of policy.hpp / keyset.hpp: 257 aud values, 65 header members, a 257-byte kid.
        b"\x00" + b'{"exp":9999999999,"aud":[' + b",".join([b'""'] * 257) + b"]}",
        b"\x01" + b'{"alg":"HS256"' + b"".join(b',"m%d":0' % i for i in range(64)) + b"}",
        b"\x01" + b'{"alg":"HS256","kid":"' + b"k" * 257 + b'"}',
    ]
    for i, e in enumerate(edge):
        write("json", f"edge-{i}", e)

    # base64url: byte 0 is the alignment; short and long valid, padded, non-canonical, bad chars.
    b64_seeds = [b"", b"A", b"AA", b"AAA", b"AAAA", b"AB", b"AAB", b"_-09azAZ", b"AA==", b"a+b/",
                 b"eyJhbGciOiJIUzI1NiJ9", b64(bytes(range(256))), b"QUJD\nREVG", b"\xff\xfe"]
    for i, s in enumerate(b64_seeds):
        write("base64url", f"seed-{i}", bytes([i * 5 % 64]) + s)

    # jwks: the whole demo set, each demo key alone (mode 0), a single bare JWK (mode 1), a PEM
    # (mode 3), an HMAC secret (mode 4), and a few broken documents.
    with open(os.path.join(DEMO, "jwks.json"), "rb") as f:
        demo = f.read()
    write("jwks", "demo-set", b"\x00" + demo)
    for k in json.loads(demo)["keys"]:
        write("jwks", f"key-{k['kid']}", b"\x00" + json.dumps({"keys": [k]}, separators=(",", ":")).encode())
    first = json.loads(demo)["keys"][-1]
    write("jwks", "bare-jwk", b"\x01" + json.dumps(first, separators=(",", ":")).encode())
    write("jwks", "pem-ec", b"\x03" + PEM_EC)
    write("jwks", "pem-ed25519", b"\x03" + PEM_ED25519)
    write("jwks", "hmac-secret", b"\x04" + bytes(range(48)))
    write("jwks", "broken-0", b'\x00{"keys":{}}')
    write("jwks", "broken-1", b'\x00{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"EC","crv":"P-256"},1]}')
    write("jwks", "broken-2", b'\x00{"keys":[{"kty":"oct","k":"AA","key_ops":["sign"],"use":"enc"}]}')


# Fixed test keys (public halves only) made once with `openssl genpkey`; never used anywhere real.
PEM_EC = b"""-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAERgHPIsYBgqXXodLbBCH55DLl5whY
y92d28vk8exqe5yleGcUvaTLOdoL8SJcIaXPRJ8al8W9MK5xI+pz9LBNdg==
-----END PUBLIC KEY-----
"""
PEM_ED25519 = b"""-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA3zddF+kBWPb2d2418ub2nsWyqcPE0b6RKVRO5YXK1hk=
-----END PUBLIC KEY-----
"""

if __name__ == "__main__":
    main()
