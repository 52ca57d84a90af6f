#!/usr/bin/env python3
"""prepare.py: turns a `jwtbatch gen` corpus into the inputs of the peer benchmarks.

    bench/peers/prepare.py GEN_DIR OUT_DIR [--min-life SECONDS]

Keeps the tokens whose expected status is ok and that stay valid for at least --min-life seconds
after the corpus's `now` (default 1200: cpp-jwt reads the system clock, so a token must not expire
while the benchmarks run), and writes to OUT_DIR:

  tokens.txt, expected.txt, jwks.json, manifest.json   the kept tokens as a corpus of the same layout
                                                       (JWTBATCH_BENCH_CORPUS=OUT_DIR for jwtbatch_bench)
  params.txt                                           "now N", "iss URL", "aud AUD", one per line
  <ALG>.tokens                                         the kept tokens of each algorithm, one per line
  <ALG>.key                                            its key: the raw secret bytes (HS*), or the public
                                                       key as PEM SubjectPublicKeyInfo (RS*, PS*, ES*, EdDSA)

The PEM is encoded here from the JWK (RFC 7517/7518/8037 members) with a few lines of DER.
Python 3 standard library only.
"""

import argparse
import base64
import json
import os
import sys

ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "EdDSA"]


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# --- DER, just enough for SubjectPublicKeyInfo ----------------------------------------------------


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, body):
    return bytes([tag]) + der_len(len(body)) + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def der_int(raw):
    raw = raw.lstrip(b"\x00") or b"\x00"
    if raw[0] & 0x80:
        raw = b"\x00" + raw
    return tlv(0x02, raw)


def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, body)


def bit_string(data):
    return tlv(0x03, b"\x00" + data)


CURVES = {"P-256": ("1.2.840.10045.3.1.7", 32), "P-384": ("1.3.132.0.34", 48), "P-521": ("1.3.132.0.35", 66)}


def spki(jwk):
    kty = jwk["kty"]
    if kty == "RSA":
        alg_id = seq(oid("1.2.840.113549.1.1.1"), tlv(0x05, b""))
        key = seq(der_int(b64url(jwk["n"])), der_int(b64url(jwk["e"])))
        return seq(alg_id, bit_string(key))
    if kty == "EC":
        curve_oid, size = CURVES[jwk["crv"]]
        x, y = b64url(jwk["x"]), b64url(jwk["y"])
        if len(x) != size or len(y) != size:
            raise ValueError(f"EC key {jwk.get('kid')}: coordinates of the wrong length")
        alg_id = seq(oid("1.2.840.10045.2.1"), oid(curve_oid))
        return seq(alg_id, bit_string(b"\x04" + x + y))
    if kty == "OKP" and jwk.get("crv") == "Ed25519":
        return seq(seq(oid("1.3.101.112")), bit_string(b64url(jwk["x"])))
    raise ValueError(f"key {jwk.get('kid')}: no PEM for kty {kty}")


def pem(der):
    b = base64.b64encode(der).decode()
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def key_bytes(jwk):
    if jwk["kty"] == "oct":
        return b64url(jwk["k"])
    return pem(spki(jwk)).encode()


# --- tokens ----------------------------------------------------------------------------------------


def part_json(token, i):
    return json.loads(b64url(token.split(".")[i]))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("gen_dir")
    p.add_argument("out_dir")
    p.add_argument("--min-life", type=int, default=1200)
    a = p.parse_args(argv)
    with open(os.path.join(a.gen_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(a.gen_dir, "jwks.json"), encoding="utf-8") as f:
        jwks_text = f.read()
    keys = {k["kid"]: k for k in json.loads(jwks_text)["keys"]}
    with open(os.path.join(a.gen_dir, "tokens.txt"), encoding="utf-8") as f:
        tokens = f.read().splitlines()
    with open(os.path.join(a.gen_dir, "expected.txt"), encoding="utf-8") as f:
        expected = f.read().splitlines()
    now = int(manifest["now"])
    by_alg = {alg: [] for alg in ALGS}
    kid_of = {}
    kept = []
    for token, status in zip(tokens, expected):
        if status != "ok":
            continue
        header, claims = part_json(token, 0), part_json(token, 1)
        if claims.get("exp", 0) < now + a.min_life or claims.get("nbf", now) > now:
            continue
        alg, kid = header["alg"], header.get("kid")
        if alg not in by_alg or kid not in keys:
            continue
        if kid_of.setdefault(alg, kid) != kid:
            sys.exit(f"prepare.py: {alg} tokens name two keys ({kid_of[alg]}, {kid}); one key per algorithm expected")
        by_alg[alg].append(token)
        kept.append(token)
    os.makedirs(a.out_dir, exist_ok=True)

    def write(name, data, mode="w"):
        with open(os.path.join(a.out_dir, name), mode) as f:
            f.write(data)

    write("tokens.txt", "".join(t + "\n" for t in kept))
    write("expected.txt", "ok\n" * len(kept))
    write("jwks.json", jwks_text)
    manifest["peers_filter"] = f"expected ok, exp >= now + {a.min_life}, from {a.gen_dir}"
    write("manifest.json", json.dumps(manifest, indent=2) + "\n")
    write("params.txt", f"now {now}\niss {manifest['iss']}\naud {manifest['aud']}\n")
    for alg in ALGS:
        if not by_alg[alg]:
            continue
        write(f"{alg}.tokens", "".join(t + "\n" for t in by_alg[alg]))
        write(f"{alg}.key", key_bytes(keys[kid_of[alg]]), "wb")
    counts = " ".join(f"{alg}={len(by_alg[alg])}" for alg in ALGS)
    print(f"prepare.py: {len(kept)} tokens into {a.out_dir}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
