#!/usr/bin/env bash
# fuzz.sh [SECONDS] [TARGET...]: builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer into build-fuzz/, then runs each target for
# SECONDS (default 60) on a scratch copy of its seed corpus (corpus/fuzz/<target>/ is never
# written). Prints executions per second and coverage per target; exits non-zero on any finding
# (crash, leak, timeout, out-of-memory, failed invariant), leaving the reproducer and the log in
# the scratch directory it names.
#
# Environment: JWTBATCH_FUZZ_JOBS (build parallelism, default 2), JWTBATCH_FUZZ_KEEP=1 (keep the
# scratch directory even on success), JWTBATCH_FUZZ_OUT (scratch directory; default a mktemp).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: tools/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2; }

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
for t in "${targets[@]}"; do
  [ -f "tests/fuzz/${t%_fuzz}_fuzz.cpp" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
done

tools/setup.sh clang libclang-rt-14-dev  # Debian 12's clang and its libFuzzer/sanitizer runtimes
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTBATCH_FUZZ=ON \
  -DJWTBATCH_BUILD_TESTS=OFF -DJWTBATCH_BUILD_BENCH=OFF >/dev/null
names=()
for t in "${targets[@]}"; do names+=("${t%_fuzz}_fuzz"); done
cmake --build build-fuzz -j"${JWTBATCH_FUZZ_JOBS:-2}" --target "${names[@]}"

scratch="${JWTBATCH_FUZZ_OUT:-$(mktemp -d /tmp/jwtbatch-fuzz.XXXXXX)}"
mkdir -p "$scratch"
# Per target: the longest input, and extra flags.
max_len() {
  case "$1" in
    base64url_fuzz) echo 4096 ;;
    token_fuzz) echo 8192 ;;
    json_fuzz) echo 8192 ;;
    jwks_fuzz) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

failed=()
printf '%-16s %8s %10s %8s %8s %8s  %s\n' target seconds execs/s cov ft corpus result
for name in "${names[@]}"; do
  base="${name%_fuzz}"
  work="$scratch/$base"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  if [ -d "corpus/fuzz/$base" ]; then cp corpus/fuzz/"$base"/* "$work/corpus/" 2>/dev/null || true; fi
  rm -f "$work/corpus/README.md"
  log="$work/log.txt"
  rc=0
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "build-fuzz/tests/fuzz/$name" "$work/corpus" \
      -max_total_time="$seconds" -max_len="$(max_len "$name")" -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
      >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  files=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
  result=ok
  if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
    result="FAILED (rc $rc): $work"
    failed+=("$name")
  fi
  printf '%-16s %8s %10s %8s %8s %8s  %s\n' "$base" "$seconds" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${files:-?}" "$result"
  [ "$result" = ok ] || { grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'; }
  echo "    executions: ${execs:-?}"
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz.sh: findings in ${failed[*]} (inputs and logs under $scratch)" >&2
  exit 1
fi
[ "${JWTBATCH_FUZZ_KEEP:-0}" = 1 ] || [ -n "${JWTBATCH_FUZZ_OUT:-}" ] || rm -rf "$scratch"
