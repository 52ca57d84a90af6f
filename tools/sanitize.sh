#!/usr/bin/env bash
# sanitize.sh: builds jwtbatch under sanitizers and runs its tests; CI runs it after tools/test.sh.
#
#   tools/sanitize.sh [asan|tsan|all]        (default: all)
#
#   asan  -fsanitize=address,undefined (LeakSanitizer on), RelWithDebInfo, into build-asan/; the
#         whole ctest suite.
#   tsan  -fsanitize=thread, RelWithDebInfo, into build-tsan/; the concurrency tests
#         (JWTBATCH_TSAN_TESTS, a ctest regex). Debian's libtbb.so.12 is not instrumented, so TSan
#         cannot see TBB's task hand-offs and reports false races in and through it: oneTBB is
#         built with -fsanitize=thread from Debian's own source package (the installed
#         libtbb-dev's version, fetched with `apt-get source` without touching the system's apt
#         configuration) and installed into build-tsan/tbb-prefix, once; later runs reuse it.
#         Suppressions: tools/tsan.supp (third-party code only, each with its reason).
#   all   asan, then tsan; one summary.
#
# Any sanitizer report fails the run, also one from a `jwtbatch` the tests spawn: every process
# writes its reports to build-*/sanitizer-logs/ (log_path), and the run fails when a log is there,
# whatever the exit codes were. Exits 0 when every mode passed, 1 on any failure, 2 on bad usage.
#
# Environment: JOBS (parallel jobs; default nproc); JWTBATCH_TSAN_TESTS (ctest regex for tsan);
# JWTBATCH_TBB_SOURCE (an unpacked oneTBB source tree, for machines without apt access);
# JWTBATCH_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
shopt -s inherit_errexit  # also inside $(...)
cd "$(dirname "$0")/.."
root=$PWD

mode=${1:-all}
case "$mode" in
  asan | tsan | all) ;;
  -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) echo "usage: tools/sanitize.sh [asan|tsan|all]" >&2; exit 2 ;;
esac
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
tsan_tests=${JWTBATCH_TSAN_TESTS:-'^(Scheduler\.|VerifierTest\.(Batch|KeyRotation)|CApi\.KeySwap|TokenCache\.Concurrent)'}
mirror=${JWTBATCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { echo "sanitize.sh: $mode: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }

# --- all: each mode in its own process (so `set -e` holds inside it), then one summary ------------
if [ "$mode" = all ]; then
  summary=() failed=0
  for m in asan tsan; do
    start=$SECONDS
    if "$0" "$m"; then result=PASS; else result=FAIL failed=1; fi
    summary+=("$(printf '  %-5s %s  %ds' "$m" "$result" $((SECONDS - start)))")
  done
  echo "sanitize.sh summary:"
  printf '%s\n' "${summary[@]}"
  exit "$failed"
fi

# check_logs fails when any process left a sanitizer report in `dir`, and prints the reports.
check_logs() {
  local dir=$1 files
  files=$(find "$dir" -type f -size +0 | sort)
  [ -z "$files" ] && return 0
  for f in $files; do
    echo "===== $f" >&2
    cat "$f" >&2
  done
  die "$(echo "$files" | wc -l) sanitizer report(s) above (from the test binary or a jwtbatch it ran)"
}

# run_ctest runs ctest in `dir` with `args`, then checks the logs; fails on either.
run_ctest() {
  local dir=$1 logs=$1/sanitizer-logs rc=0
  shift
  (cd "$dir" && ctest --output-on-failure --no-tests=error -j"$jobs" "$@") || rc=$?
  check_logs "$logs"
  [ "$rc" -eq 0 ] || die "ctest failed (exit $rc), no sanitizer log: see the test output above"
}

fresh_logs() {
  rm -rf "$1"
  mkdir -p "$1"
}

# --- asan ---------------------------------------------------------------------------------------
run_asan() {
  local dir=build-asan
  local logs=$root/$dir/sanitizer-logs t0=$SECONDS
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTBATCH_SANITIZE=address,undefined \
    -DJWTBATCH_BUILD_TESTS=ON -DJWTBATCH_BUILD_BENCH=OFF >/dev/null || die "cmake configure"
  cmake --build "$dir" -j"$jobs" || die "build"
  say "built in $((SECONDS - t0))s"
  fresh_logs "$logs"
  # exitcode: a report also fails the process with a code no test expects from `jwtbatch`.
  local common="halt_on_error=1:exitcode=86:log_path=$logs/san:print_summary=1"
  export ASAN_OPTIONS="$common:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
  export UBSAN_OPTIONS="$common:print_stacktrace=1"
  export LSAN_OPTIONS="exitcode=86"
  run_ctest "$dir"
}

# --- tsan ---------------------------------------------------------------------------------------
tbb_prefix=$root/build-tsan/tbb-prefix
tbb_work=$root/build-tsan/tbb-src

# fetch_tbb_source leaves Debian's onetbb source (version `1`, or the newest when that one is gone),
# patched, in $tbb_work/src, and prints the version it got.
fetch_tbb_source() {
  local want=$1 codename apt got
  codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || codename=bookworm
  command -v apt-get >/dev/null || die "apt-get not found: cannot fetch Debian's oneTBB source; set JWTBATCH_TBB_SOURCE to an unpacked oneTBB $want source tree"
  mkdir -p "$tbb_work/apt/lists/partial" "$tbb_work/apt/cache"
  cat >"$tbb_work/apt/debsrc.sources" <<EOF
Types: deb-src
URIs: $mirror
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # Our own source list, lists and cache: the system's apt configuration stays as it is.
  apt=(apt-get -q -o "Dir::Etc::SourceList=$tbb_work/apt/debsrc.sources" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$tbb_work/apt/lists" -o "Dir::Cache=$tbb_work/apt/cache")
  [ "$(id -u)" -eq 0 ] && apt+=(-o APT::Sandbox::User=root)
  if ! ls "$tbb_work"/onetbb_"${want#*:}".dsc >/dev/null 2>&1; then
    # apt-get update exits 0 when a fetch fails; it says so on W:/E: lines.
    if ! "${apt[@]}" update >"$tbb_work/apt/update.log" 2>&1 || grep -q '^[WE]:' "$tbb_work/apt/update.log"; then
      cat "$tbb_work/apt/update.log" >&2
      die "cannot reach $mirror (no network?): ThreadSanitizer needs oneTBB built from source with -fsanitize=thread; fix the network, or set JWTBATCH_TBB_SOURCE to an unpacked oneTBB $want source tree"
    fi
    if ! (cd "$tbb_work" && "${apt[@]}" source --download-only "onetbb=$want") >&2; then
      say "WARNING: onetbb $want (the installed libtbb-dev) is no longer in $codename; using the newest there"
      (cd "$tbb_work" && "${apt[@]}" source --download-only onetbb) >&2 || die "apt-get source onetbb"
    fi
  fi
  local dsc
  dsc=$(ls -t "$tbb_work"/onetbb_*.dsc | head -n1)
  got=$(sed -n 's/^Version: //p' "$dsc")
  rm -rf "$tbb_work/src"
  if command -v dpkg-source >/dev/null; then
    # apt checked the files against the signed archive index; dpkg-source checks them again.
    (cd "$tbb_work" && dpkg-source -x "$dsc" src) >"$tbb_work/unpack.log" 2>&1 ||
      { cat "$tbb_work/unpack.log" >&2; die "dpkg-source -x $dsc"; }
  else
    # Without dpkg-dev: the upstream tarball, then Debian's patches when `patch` is there.
    mkdir -p "$tbb_work/src"
    tar -xf "$(ls "$tbb_work"/onetbb_*.orig.tar.*)" -C "$tbb_work/src" --strip-components=1
    tar -xf "$(ls "$tbb_work"/onetbb_*.debian.tar.*)" -C "$tbb_work/src"
    if command -v patch >/dev/null && [ -f "$tbb_work/src/debian/patches/series" ]; then
      local p
      for p in $(grep -v '^\s*#' "$tbb_work/src/debian/patches/series" | awk '{print $1}'); do
        patch -d "$tbb_work/src" -p1 -s <"$tbb_work/src/debian/patches/$p" || die "Debian patch $p"
      done
    else
      say "WARNING: neither dpkg-source nor patch found: building upstream oneTBB without Debian's patches"
    fi
  fi
  echo "$got"
}

# ensure_tbb builds oneTBB with -fsanitize=thread into $tbb_prefix unless a build for the same
# source and compiler is already there.
ensure_tbb() {
  local want src got stamp cxx
  # The build machine's own architecture: a cross libtbb-dev (e.g. :arm64) may be installed too.
  want=$(dpkg-query -W -f='${source:Version}\n' "libtbb-dev:$(dpkg --print-architecture)" 2>/dev/null | head -n1 || true)
  [ -n "$want" ] || die "libtbb-dev is not installed (tools/setup.sh)"
  cxx=$(${CXX:-c++} --version | head -n1)
  stamp="onetbb ${JWTBATCH_TBB_SOURCE:-$want} -fsanitize=thread RelWithDebInfo; $cxx"
  if [ -f "$tbb_prefix/jwtbatch-stamp" ] && [ "$(head -n1 "$tbb_prefix/jwtbatch-stamp")" = "$stamp" ] &&
    [ -f "$tbb_prefix/lib/cmake/TBB/TBBConfig.cmake" ]; then
    say "instrumented oneTBB: cached in $tbb_prefix ($(sed -n 2p "$tbb_prefix/jwtbatch-stamp"))"
    return 0
  fi
  local t0=$SECONDS
  if [ -n "${JWTBATCH_TBB_SOURCE:-}" ]; then
    src=$JWTBATCH_TBB_SOURCE got="from $src"
    [ -f "$src/include/oneapi/tbb/version.h" ] || die "JWTBATCH_TBB_SOURCE=$src is not a oneTBB source tree"
  else
    say "getting Debian's onetbb $want source (downloaded once into $tbb_work)"
    got=$(fetch_tbb_source "$want")
    src=$tbb_work/src
  fi
  say "building oneTBB ($got) with -fsanitize=thread"
  rm -rf "$tbb_work/build" "$tbb_prefix" "$tbb_prefix.tmp"
  cmake -S "$src" -B "$tbb_work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_INSTALL_PREFIX="$tbb_prefix.tmp" -DCMAKE_INSTALL_LIBDIR=lib \
    -DTBB_SANITIZE=thread -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF -DTBB4PY_BUILD=OFF \
    -DTBB_DISABLE_HWLOC_AUTOMATIC_SEARCH=ON >"$tbb_work/configure.log" 2>&1 ||
    { cat "$tbb_work/configure.log" >&2; die "oneTBB configure"; }
  cmake --build "$tbb_work/build" -j"$jobs" >"$tbb_work/build.log" 2>&1 ||
    { tail -n 50 "$tbb_work/build.log" >&2; die "oneTBB build (log: $tbb_work/build.log)"; }
  cmake --install "$tbb_work/build" >/dev/null || die "oneTBB install"
  printf '%s\n%s\n' "$stamp" "onetbb $got" >"$tbb_prefix.tmp/jwtbatch-stamp"
  mv "$tbb_prefix.tmp" "$tbb_prefix"
  rm -rf "$tbb_work/build" "$tbb_work/src"  # the downloaded source package stays for a rebuild
  say "instrumented oneTBB $got built in $((SECONDS - t0))s"
}

# check_loads_instrumented_tbb fails unless `bin` loads libtbb from $tbb_prefix.
check_loads_instrumented_tbb() {
  local bin=$1 tbb
  tbb=$(ldd "$bin" | awk '/libtbb\.so/ {print $3}')
  [ -n "$tbb" ] && [ "$(realpath "$(dirname "$tbb")")" = "$(realpath "$tbb_prefix/lib")" ] ||
    die "$bin loads libtbb from '$tbb', not the instrumented $tbb_prefix/lib"
  say "$(basename "$bin") loads $tbb"
}

run_tsan() {
  local dir=build-tsan
  local logs=$root/$dir/sanitizer-logs
  ensure_tbb
  local t0=$SECONDS
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTBATCH_SANITIZE=thread \
    -DJWTBATCH_BUILD_TESTS=ON -DJWTBATCH_BUILD_BENCH=OFF \
    -DTBB_DIR="$tbb_prefix/lib/cmake/TBB" >/dev/null || die "cmake configure"
  grep -qx "TBB_DIR:[A-Z]*=$tbb_prefix/lib/cmake/TBB" "$dir/CMakeCache.txt" &&
    grep -q -- "-isystem $tbb_prefix/include" "$dir/compile_commands.json" ||
    die "find_package(TBB) did not take $tbb_prefix: $(grep '^TBB_DIR' "$dir/CMakeCache.txt")"
  # The tests' target depends on the CLI's, so this builds both; test discovery runs under TSan.
  fresh_logs "$logs"
  TSAN_OPTIONS="halt_on_error=1:log_path=$logs/san" cmake --build "$dir" -j"$jobs" --target jwtbatch_tests ||
    { check_logs "$logs"; die "build"; }
  say "built in $((SECONDS - t0))s"
  check_loads_instrumented_tbb "$dir/tests/jwtbatch_tests"
  check_loads_instrumented_tbb "$dir/tools/jwtbatch"
  local supp=$root/tools/tsan.supp opts
  opts="halt_on_error=1:exitcode=66:log_path=$logs/san:second_deadlock_stack=1:history_size=4"
  [ -f "$supp" ] && opts+=":suppressions=$supp"
  fresh_logs "$logs"
  export TSAN_OPTIONS=$opts
  run_ctest "$dir" -R "$tsan_tests"
}

tools/setup.sh
start=$SECONDS
"run_$mode"
say "PASS in $((SECONDS - start))s"
