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
demo=corpus/demo
# The corpus was generated for a fixed time, issuer and audience (corpus/demo/manifest.json).
build/tools/jwtbatch verify --jwks "$demo/jwks.json" --now 1767225600 \
  --iss https://issuer.example.com --aud https://api.example.com --stats "$demo/tokens.txt" > build/demo-verdicts.jsonl
echo "verdicts written to build/demo-verdicts.jsonl; counts by status:"
sed -e 's/.*"status":"\([a-z0-9_]*\)".*/\1/' build/demo-verdicts.jsonl | sort | uniq -c | sort -rn
if [ -f "$demo/expected.txt" ]; then
  got=$(sed -e 's/.*"status":"\([a-z0-9_]*\)".*/\1/' build/demo-verdicts.jsonl)
  if [ "$got" = "$(cat "$demo/expected.txt")" ]; then
    echo "all $(wc -l < "$demo/expected.txt") verdicts match corpus/demo/expected.txt"
  else
    echo "verdicts differ from corpus/demo/expected.txt" >&2
    exit 1
  fi
fi

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
got=$(sed -e 's/.*"status":"\([a-z0-9_]*\)".*/\1/' "$large/verdicts.jsonl" | cmp -s - "$large/expected.txt" && echo same || echo different)
if [ "$got" != same ]; then
  echo "verdicts of $large differ from its expected.txt" >&2
  exit 1
fi
echo "all $count verdicts match $large/expected.txt"
