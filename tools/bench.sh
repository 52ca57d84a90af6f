#!/usr/bin/env bash
# bench.sh: builds Release into build/, runs jwtbatch's standard benchmark set, and writes every
# result plus the README's performance section (performance.md) into one results folder.
#
#   tools/bench.sh [--peers] [--out DIR] [--repetitions N] [--min-time SECONDS] [--filter REGEX]
#                  [--stats-runs N] [--baseline RESULTS_DIR] [--quick] [--readme]
#
# The standard set:
#   1. jwtbatch_bench (Google Benchmark, --benchmark_repetitions=N, aggregates only) -> bench.json:
#      every stage alone (BM_stage/*, BM_pipeline/all_stages, BM_pipeline/HS256/stats), end to end per
#      algorithm at 1 thread (BM_verify_e2e/<ALG>/batch|single) beside BoringSSL's floor
#      (BM_verify_floor/<ALG>/boringssl), thread scaling (BM_pipeline/<ALG>/threads:N/real_time).
#   2. `jwtbatch verify --stats-json`, --stats-runs times (default 5), on a fresh
#      `jwtbatch gen --count 20000 --profile typical` corpus in build/bench-corpus/ (its verdicts are
#      first checked against the generator's expected statuses) -> stats.json ({"runs": [...]}).
#   3. --peers (configures with -DJWTBATCH_PEERS=ON; installs libjwt-dev, libjansson-dev,
#      libcpp-jwt-dev through tools/setup.sh): one `jwtbatch gen` corpus of valid tokens, turned into
#      the peers' inputs by bench/peers/prepare.py, verified single-thread by cpp-jwt, libjwt (their
#      own binaries: they link the system OpenSSL) and Node's jose (npm install jose into
#      build/peers-node/, when node and npm are present), then by jwtbatch_bench's BM_verify_e2e on
#      the same tokens (JWTBATCH_BENCH_CORPUS) -> peers/*.json.
#   4. tools/bench_report.py -> performance.md (the tables of the README's performance section);
#      with --readme also spliced into README.md between its "performance: begin/end" markers (the
#      one documented command that regenerates the README's figures: tools/bench.sh --peers --readme).
#   5. --baseline DIR (an earlier results folder): tools/bench-compare on bench.json and stats.json,
#      -> compare.txt, compare.svg, compare-stats.txt, compare-stats.svg; the exit status is 1 when
#      it finds a regression.
#
# Results go to build/bench-results/<UTC date and time>/ (or --out DIR); build/bench-results/latest
# points at the last one. --quick (2 repetitions, short runs, 2000 tokens) is for trying the script.
# JWTBATCH_JOBS sets the build's parallelism (default: every core).
set -euo pipefail
cd "$(dirname "$0")/.."

peers=0 readme=0 out="" reps=5 min_time="" filter="" stats_runs=5 baseline="" count=20000 peer_count=4000
while [ "$#" -gt 0 ]; do
  case "$1" in
    --peers) peers=1 ;;
    --readme) readme=1 ;;
    --out) out="$2"; shift ;;
    --repetitions) reps="$2"; shift ;;
    --min-time) min_time="$2"; shift ;;
    --filter) filter="$2"; shift ;;
    --stats-runs) stats_runs="$2"; shift ;;
    --baseline) baseline="$2"; shift ;;
    --quick) reps=2 min_time=0.05 stats_runs=2 count=2000 peer_count=1300 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (tools/bench.sh --help)" >&2; exit 2 ;;
  esac
  shift
done

command_line="tools/bench.sh"
[ "$peers" = 1 ] && command_line="$command_line --peers"
[ "$readme" = 1 ] && command_line="$command_line --readme"
[ "$reps" != 5 ] && command_line="$command_line --repetitions $reps"
[ -n "$filter" ] && command_line="$command_line --filter '$filter'"
jobs=${JWTBATCH_JOBS:-$(nproc 2>/dev/null || echo 2)}
log() { echo "bench.sh: $*" >&2; }

if [ "$peers" = 1 ]; then
  tools/setup.sh libjwt-dev libjansson-dev libcpp-jwt-dev libssl-dev pkg-config
else
  tools/setup.sh
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DJWTBATCH_BUILD_BENCH=ON \
  -DJWTBATCH_PEERS=$([ "$peers" = 1 ] && echo ON || echo OFF) >/dev/null
targets=(jwtbatch_bench jwtbatch_cli)
[ "$peers" = 1 ] && targets+=(libjwt_bench cppjwt_bench)
log "building ${targets[*]} (-j$jobs)"
cmake --build build -j"$jobs" --target "${targets[@]}" >/dev/null

stamp=$(date -u +%Y-%m-%dT%H%MZ)
out=${out:-build/bench-results/$stamp}
mkdir -p "$out"
[ -z "${out##build/bench-results/*}" ] && ln -sfn "$(basename "$out")" build/bench-results/latest
bench=build/bench/jwtbatch_bench
cli=build/tools/jwtbatch
gbench_args=(--benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true --benchmark_out_format=json)
[ -n "$min_time" ] && gbench_args+=(--benchmark_min_time="$min_time")
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }
load_start=$(loadavg)

# 1. The Google Benchmark set.
log "jwtbatch_bench -> $out/bench.json (repetitions $reps)"
"$bench" "${gbench_args[@]}" --benchmark_out="$out/bench.json" ${filter:+--benchmark_filter="$filter"} \
  | tee "$out/bench.txt"

# 2. jwtbatch verify --stats-json on a generated corpus.
corpus=build/bench-corpus/typical-$count
rm -rf "$corpus"
log "jwtbatch gen --count $count --profile typical -> $corpus"
"$cli" gen --out "$corpus" --count "$count" --profile typical --seed 1 >/dev/null
mapfile -t verify_args < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["verify_args"]))' "$corpus/manifest.json")
"$cli" verify --jwks "$corpus/jwks.json" "${verify_args[@]}" --quiet --output "$out/verdicts.jsonl" "$corpus/tokens.txt"
if ! sed -e 's/.*"status":"\([a-z0-9_]*\)".*/\1/' "$out/verdicts.jsonl" | cmp -s - "$corpus/expected.txt"; then
  log "jwtbatch verify's verdicts differ from $corpus/expected.txt: not timing a wrong answer"
  exit 1
fi
rm -f "$out/verdicts.jsonl"
for i in $(seq 1 "$stats_runs"); do
  "$cli" verify --jwks "$corpus/jwks.json" "${verify_args[@]}" --quiet --output /dev/null \
    --stats-json "$out/stats-$i.json" "$corpus/tokens.txt"
done
python3 - "$out" "$stats_runs" "$corpus/manifest.json" "$cli verify --jwks jwks.json ${verify_args[*]} --quiet --output /dev/null --stats-json FILE tokens.txt" <<'EOF'
import json, os, sys
out, n, manifest, command = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3])), sys.argv[4]
runs = [json.load(open(os.path.join(out, f"stats-{i}.json"))) for i in range(1, n + 1)]
corpus = {k: manifest.get(k) for k in ("count", "profile", "seed", "fail_rate", "now")}
json.dump({"corpus": corpus, "command": command.replace("build/tools/", ""), "runs": runs},
          open(os.path.join(out, "stats.json"), "w"), indent=1)
w = sorted(r["tokens_per_s"] for r in runs)
print(f"bench.sh: jwtbatch verify: {w[len(w) // 2]:.0f} tokens/s wall (median of {n} runs) -> {out}/stats.json",
      file=sys.stderr)
EOF
rm -f "$out"/stats-[0-9]*.json

# 3. Peers, single thread, on one corpus of valid tokens.
node_version=""
if [ "$peers" = 1 ]; then
  pdir=build/bench-peers
  mkdir -p "$out/peers"
  rm -rf "$pdir"
  # cpp-jwt reads the system clock: the corpus is generated for now, and prepare.py keeps the
  # tokens that stay valid for 20 minutes more.
  "$cli" gen --out "$pdir/gen" --count "$peer_count" --profile typical --fail-rate 0 --seed 1 \
    --now "$(date +%s)" >/dev/null
  python3 bench/peers/prepare.py "$pdir/gen" "$pdir/input" | tee "$out/peers/prepare.txt"
  peer_args=(--input "$pdir/input" --repetitions "$reps")
  [ -n "$min_time" ] && peer_args+=(--min-time "$min_time")
  build/bench/peers/cppjwt_bench "${peer_args[@]}" --out "$out/peers/cppjwt.json"
  build/bench/peers/libjwt_bench "${peer_args[@]}" --out "$out/peers/libjwt.json"
  if command -v node >/dev/null && command -v npm >/dev/null; then
    node_version=$(node --version)
    mkdir -p build/peers-node
    if [ -f build/peers-node/node_modules/jose/package.json ] ||
       npm install --prefix build/peers-node jose@6 --no-audit --no-fund --loglevel=error >&2; then
      cp bench/peers/jose_bench.mjs build/peers-node/
      node build/peers-node/jose_bench.mjs "${peer_args[@]}" --out "$out/peers/jose.json"
    else
      log "npm install jose failed: jose not run"
    fi
  else
    log "node or npm not found: jose not run"
  fi
  JWTBATCH_BENCH_CORPUS="$pdir/input" "$bench" "${gbench_args[@]}" --benchmark_filter='^BM_verify_e2e/' \
    --benchmark_out="$out/peers/jwtbatch.json" | tee "$out/peers/jwtbatch.txt"
fi

# Where and how it ran.
python3 - "$out" "$reps" "$load_start" "$(loadavg)" "$command_line" "$node_version" "$peers" "$peer_count" <<'EOF'
import json, os, platform, subprocess, sys
from datetime import datetime, timezone
out, reps, load_start, load_end, command, node, peers, peer_count = sys.argv[1:9]
def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
cpu = ""
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
version = run("build/tools/jwtbatch", "--version")
env = {
    "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "git_commit": run("git", "rev-parse", "--short=12", "HEAD"),
    "git_dirty": bool(run("git", "status", "--porcelain", "--untracked-files=no")),
    "cpu_model": cpu or platform.processor(),
    "nproc": os.cpu_count(),
    "kernel": platform.release(),
    "jwtbatch_version": version,
    "kernels": next((w for w in ("avx512", "avx2", "neon", "scalar") if w in version), "?"),
    "repetitions": int(reps),
    "loadavg_start": load_start,
    "loadavg_end": load_end,
    "command": command,
}
if peers == "1":
    prep = open(os.path.join(out, "peers", "prepare.txt")).read().strip()
    env["peers"] = {"corpus": f"`jwtbatch gen --count {peer_count} --profile typical --fail-rate 0 --seed 1 --now <time of the run>`, "
                              "the tokens valid for 20 minutes more, one key per algorithm (" +
                              prep.split(": ", 1)[-1] + ")",
                    "node": node}
json.dump(env, open(os.path.join(out, "env.json"), "w"), indent=1)
EOF

# 4. The README's performance section.
python3 tools/bench_report.py "$out" $([ "$readme" = 1 ] && echo --readme README.md)

# 5. Against a baseline.
status=0
if [ -n "$baseline" ]; then
  tools/bench-compare "$baseline/bench.json" "$out/bench.json" --plot "$out/compare.svg" \
    | tee "$out/compare.txt" || status=1
  if [ -f "$baseline/stats.json" ]; then
    tools/bench-compare "$baseline/stats.json" "$out/stats.json" --plot "$out/compare-stats.svg" \
      | tee "$out/compare-stats.txt" || status=1
  fi
fi
log "results in $out (performance.md: the README's performance section)"
exit "$status"
