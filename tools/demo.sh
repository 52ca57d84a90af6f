#!/usr/bin/env bash
# demo.sh: installs what is missing, builds Release into build/, then verifies the bundled demo
# corpus (corpus/demo: a JWKS and 901 tokens of all 13 algorithms, mostly valid, 12 of each failure
# kind) with per-stage statistics, and prints the verdict counts.

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
