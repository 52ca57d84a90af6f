#!/usr/bin/env bash
# demo.sh: installs what is missing, builds Release into build/, then
#   1. verifies the bundled demo corpus (corpus/demo: a JWKS and 901 tokens of all 13 algorithms,
#      mostly valid, 12 of each failure kind) with per-stage statistics, prints the verdict counts
#      and checks them against corpus/demo/expected.txt. 901 tokens take tens of milliseconds: its
#      tokens/s is a warm-up figure, not jwtbatch's speed;
#   2. generates (once, kept in build/demo-large/) JWTBATCH_DEMO_TOKENS (default 200000) typical
#      tokens of HS256, ES256 and EdDSA with `jwtbatch gen`, 20% of them failing one check each,
#      and verifies them on every core with --stats: the per-stage throughput of a real run. The
#      three algorithms are the ones `jwtbatch gen` signs quickly (RSA private-key operations
#      would make generating take minutes); verifying every algorithm is what the bundled corpus
#      shows.

set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" --target jwtbatch_cli
# statuses prints the status of each verdict line of $1, one per line (expected.txt's format).
statuses() { sed -e 's/.*"status":"\([a-z0-9_]*\)".*/\1/' "$1"; }
# check_verdicts exits with an error unless the statuses of verdict file $1 are expected file $2.
check_verdicts() {
  if ! statuses "$1" | cmp -s - "$2"; then
    echo "verdicts in $1 differ from $2" >&2
    exit 1
  fi
  echo "all $(wc -l < "$2") verdicts match $2"
}

# 1. The bundled corpus, generated for a fixed time, issuer and audience (corpus/demo/manifest.json).
demo=corpus/demo
build/tools/jwtbatch verify --jwks "$demo/jwks.json" --now 1767225600 \
  --iss https://issuer.example.com --aud https://api.example.com --stats "$demo/tokens.txt" > build/demo-verdicts.jsonl
echo "verdicts written to build/demo-verdicts.jsonl; counts by status:"
statuses build/demo-verdicts.jsonl | sort | uniq -c | sort -rn
if [ -f "$demo/expected.txt" ]; then check_verdicts build/demo-verdicts.jsonl "$demo/expected.txt"; fi

# 2. A corpus large enough to measure.
count=${JWTBATCH_DEMO_TOKENS:-200000}
large=build/demo-large
if ! grep -qs "\"count\": $count," "$large/manifest.json"; then
  echo "generating $count typical tokens (HS256, ES256, EdDSA) into $large/ (once)..."
  rm -rf "$large"
  build/tools/jwtbatch gen --out "$large" --count "$count" --seed 7 --algs HS256,ES256,EdDSA --profile typical
fi
echo "verifying $large/tokens.txt on every core ($(nproc 2>/dev/null || echo '?') here):"
build/tools/jwtbatch verify --jwks "$large/jwks.json" --now 1767225600 \
  --iss https://issuer.example.com --aud https://api.example.com --stats --output "$large/verdicts.jsonl" \
  "$large/tokens.txt"
check_verdicts "$large/verdicts.jsonl" "$large/expected.txt"
