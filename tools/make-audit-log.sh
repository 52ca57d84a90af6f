#!/usr/bin/env bash
# make-audit-log.sh: writes a synthetic raw log of about SIZE_MB megabytes (default 1024) for
# `jwtbatch audit --extract` benchmarks: fake nginx access lines, JSON application lines and
# header dumps, about half of them carrying a token from `jwtbatch gen` (valid ones and every
# failure kind) in a query string, a JSON field or an Authorization header. Nothing is committed:
# the log is made at bench time.
#
#   tools/make-audit-log.sh OUT_DIR [SIZE_MB]     # then:
#   build/tools/jwtbatch audit --extract --jwks OUT_DIR/corpus/jwks.json --now 1767225600 \
#     --iss https://issuer.example.com --aud https://api.example.com --stats OUT_DIR/app.log
set -euo pipefail
out=${1:?usage: tools/make-audit-log.sh OUT_DIR [SIZE_MB]}
size_mb=${2:-1024}
root=$(cd "$(dirname "$0")/.." && pwd)
jwtbatch=${JWTBATCH:-$root/build/tools/jwtbatch}
mkdir -p "$out"
"$jwtbatch" gen --out "$out/corpus" --count 20000 --algs HS256,RS256,ES256,EdDSA --profile mixed \
  --fail-rate 0.2 > /dev/null
python3 - "$out/corpus/tokens.txt" "$out/app.log" "$size_mb" <<'PY'
import random, sys
tokens = [t for t in open(sys.argv[1]).read().split("\n") if t]
limit = int(sys.argv[3]) << 20
rng = random.Random(1)
paths = ["/api/orders", "/api/users/42", "/static/app.js", "/healthz", "/api/search?q=shoes", "/login"]
agents = ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "okhttp/4.12.0"]
with open(sys.argv[2], "w") as f:
    written = 0
    buf = []
    while written < limit:
        ip = "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        r = rng.random()
        t = tokens[rng.randrange(len(tokens))]
        if r < 0.25:
            line = '%s - - [01/Jan/2026:00:00:%02d +0000] "GET %s?access_token=%s HTTP/1.1" 200 %d "-" "%s"\n' % (
                ip, rng.randrange(60), rng.choice(paths), t, rng.randrange(100, 9000), rng.choice(agents))
        elif r < 0.4:
            line = '{"ts":"2026-01-01T00:00:00Z","level":"info","msg":"request","ip":"%s","auth":"Bearer %s","ms":%d}\n' % (
                ip, t, rng.randrange(1, 900))
        elif r < 0.5:
            line = "Authorization: Bearer %s\n" % t
        elif r < 0.8:
            line = '%s - - [01/Jan/2026:00:00:%02d +0000] "GET %s HTTP/1.1" 200 %d "-" "%s"\n' % (
                ip, rng.randrange(60), rng.choice(paths), rng.randrange(100, 9000), rng.choice(agents))
        else:
            line = '{"ts":"2026-01-01T00:00:00Z","level":"debug","msg":"cache miss","key":"user:%d","node":"eyJ-not-a-token","ms":%d}\n' % (
                rng.randrange(10**6), rng.randrange(1, 50))
        buf.append(line)
        written += len(line)
        if len(buf) >= 4096:
            f.write("".join(buf))
            buf = []
    f.write("".join(buf))
PY
ls -l "$out/app.log" >&2
