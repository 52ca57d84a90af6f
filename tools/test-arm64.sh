#!/usr/bin/env bash
# test-arm64.sh: cross-builds jwtbatch for ARM64 Linux (aarch64-linux-gnu) into build-arm64/ and runs
# it under qemu user-mode emulation: `jwtbatch --version` (the kernel variant chosen), the SHA-512
# dispatch on an emulated CPU with FEAT_SHA512 and on one without, the demo corpus through `jwtbatch
# verify --stats` (verdicts compared with corpus/demo/expected.txt; again with the engine forced onto
# the kernels), a short benchmark run, then the whole ctest suite. Exits non-zero on any failure.
#
# Installs what is missing first, as root or with sudo (../shared/notes/arm64.md says why each step
# is as it is): the cross compiler and qemu-user; the arm64 architecture; the :arm64 copies of the
# dependencies that are co-installable with the amd64 ones, each Multi-Arch "same" package pinned
# to the version installed for amd64; and the arm64 .debs of android-libboringssl-dev and
# libsimdjson-dev, which are not co-installable, unpacked into build-arm64/arm64-overlay/ (found
# first by tools/toolchain-aarch64.cmake). apt is simulated first; a plan that would remove or
# upgrade an installed package is refused.
#
# Emulated timings are not performance figures: qemu runs SIMD and crypto code 20-30x slower than
# an ARM64 CPU, and not in proportion. Benchmark on an ARM64 host with a native build instead.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
build="build-arm64"
overlay="$PWD/$build/arm64-overlay"
qemu_timeout=600  # seconds, for every emulated run outside ctest (ctest has its own per test)

log() { echo "jwtbatch arm64: $*" >&2; }
die() { log "$*"; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  sudo=(false)  # fails below, only if something has to be installed
fi
as_root() {
  "${sudo[@]}" "$@" || die "failed: $* (run as root or with sudo)"
}
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
export DEBIAN_FRONTEND=noninteractive

# --- packages --------------------------------------------------------------------------------
tools/setup.sh g++-aarch64-linux-gnu qemu-user

updated=0
apt_update() {
  [ "$updated" -eq 1 ] && return
  as_root apt-get update -qq
  updated=1
}

if ! grep -qx arm64 <<<"$(dpkg --print-foreign-architectures)"; then
  log "adding the arm64 architecture to dpkg"
  as_root dpkg --add-architecture arm64
  apt_update
fi

arm64_packages=(libc6:arm64 libstdc++6:arm64 libtbb-dev:arm64 libgtest-dev:arm64 libbenchmark-dev:arm64
                android-libboringssl:arm64 libsimdjson14:arm64)
missing=()
for p in "${arm64_packages[@]}"; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt_update
  # A Multi-Arch "same" package has one version on both architectures: when the arm64 copy apt
  # picks is newer than the installed amd64 one (libudev1, pulled by libtbb12), apt upgrades the amd64
  # copy too, and systemd with it. Ask for the installed version of each such package instead,
  # until the plan upgrades nothing.
  pins=()
  for round in 1 2 3 4 5 6; do
    if ! plan=$(LC_ALL=C apt-get -s install --no-install-recommends "${missing[@]}" "${pins[@]}" 2>&1); then
      echo "$plan" >&2
      die "apt cannot plan the install of ${missing[*]} ${pins[*]} (if the archive no longer has a" \
        "pinned version, upgrade that package for amd64 first, then run this again)"
    fi
    new_pins=()
    while read -r pkg old; do
      grep -qF "Inst $pkg:arm64 " <<<"$plan" && new_pins+=("$pkg:arm64=$old")
    done < <(sed -n 's/^Inst \([^ :]*\) \[\([^]]*\)\].*/\1 \2/p' <<<"$plan")
    [ "${#new_pins[@]}" -eq 0 ] && break
    [ "$round" -eq 6 ] && die "no install plan keeps the installed amd64 packages: ${missing[*]} ${pins[*]}"
    pins+=("${new_pins[@]}")
  done
  if grep -E '^Remv |^Inst [^ ]+ \[' <<<"$plan" >&2; then
    die "refusing: installing ${missing[*]} ${pins[*]} would remove or upgrade the packages above"
  fi
  log "installing ${missing[*]} ${pins[*]}"
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" "${pins[@]}" >/dev/null
fi

# The two non-co-installable -dev packages (and their runtime libraries, which their symlinks and
# simdjson's CMake config point at) at the versions of the installed arm64 runtime packages.
bssl_ver=$(dpkg-query -W -f='${Version}' android-libboringssl:arm64)
simdjson_ver=$(dpkg-query -W -f='${Version}' libsimdjson14:arm64)
overlay_debs=("android-libboringssl-dev:arm64=$bssl_ver" "android-libboringssl:arm64=$bssl_ver"
              "libsimdjson-dev:arm64=$simdjson_ver" "libsimdjson14:arm64=$simdjson_ver")
if [ "$(cat "$overlay/.debs" 2>/dev/null)" != "${overlay_debs[*]}" ]; then
  log "unpacking ${overlay_debs[*]} into $build/arm64-overlay"
  rm -rf "$build/debs" "$overlay"
  mkdir -p "$build/debs" "$overlay"
  download=(apt-get download -q)
  [ "$(id -u)" -eq 0 ] && download+=(-o APT::Sandbox::User=root)  # _apt cannot write the build tree
  if ! (cd "$build/debs" && "${download[@]}" "${overlay_debs[@]}" >/dev/null); then
    apt_update
    (cd "$build/debs" && "${download[@]}" "${overlay_debs[@]}" >/dev/null)
  fi
  for deb in "$build"/debs/*.deb; do dpkg-deb -x "$deb" "$overlay"; done
  echo "${overlay_debs[*]}" > "$overlay/.debs"
fi
log "packages ready after $((SECONDS - start)) s"

# --- cross build -----------------------------------------------------------------------------
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE="$PWD/tools/toolchain-aarch64.cmake" \
  -DJWTBATCH_ARM64_OVERLAY="$overlay" -DCMAKE_BUILD_TYPE=Release \
  -DJWTBATCH_BUILD_TESTS=ON -DJWTBATCH_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j"$jobs"
log "cross build done after $((SECONDS - start)) s"

# --- smoke runs under qemu -------------------------------------------------------------------
qemu=(timeout "$qemu_timeout" qemu-aarch64)
cli="$build/tools/jwtbatch"
version=$("${qemu[@]}" "$cli" --version)
echo "$version"
grep -q "(kernels: neon)" <<<"$version" || die "the NEON kernels are not the ones dispatched on ARM64"

# --- dispatch both ways: FEAT_SHA512 on and off ------------------------------------------------
# qemu's CPU models: `max` has FEAT_SHA512 (and SHA-3), `cortex-a72` (ARMv8.0) has neither. Each
# is checked from outside the model the tests share with the code (tests/support/dispatch_model):
# the command's line, the variants the kernel tests are instantiated for, and the test binary's
# own dispatch test told which variant must be active (and that the engine keeps BoringSSL
# unforced).
tests_bin="$build/tests/jwtbatch_tests"
sha_filter='ShaDispatch/sha512.*:Sha512Kernel.*:Variants/ShaKernel.*/sha384_*:Variants/ShaKernel.*/sha512_*'
for cpu in max cortex-a72; do
  if [ "$cpu" = max ]; then want=arm_sha512; else want=scalar; fi
  line=$(QEMU_CPU=$cpu "${qemu[@]}" "$cli" --version)
  grep -q " sha512=$want " <<<"$line" || die "QEMU_CPU=$cpu: expected sha512=$want: $line"
  listed=$(QEMU_CPU=$cpu "${qemu[@]}" "$tests_bin" --gtest_list_tests --gtest_filter='Variants/ShaKernel.*')
  if [ "$cpu" = max ]; then
    grep -q "sha512_arm_sha512" <<<"$listed" || die "QEMU_CPU=$cpu: no kernel test runs the arm_sha512 variant"
  elif grep -q "arm_sha512" <<<"$listed"; then
    die "QEMU_CPU=$cpu: the arm_sha512 variant is offered on a CPU without FEAT_SHA512"
  fi
  QEMU_CPU=$cpu JWTBATCH_TEST_EXPECT_VARIANT=$want JWTBATCH_TEST_EXPECT_ENGINE=0 "${qemu[@]}" "$tests_bin" \
    --gtest_filter="$sha_filter" --gtest_brief=1 ||
    die "QEMU_CPU=$cpu: the SHA-512 kernel or dispatch tests failed (expected active variant $want)"
  echo "QEMU_CPU=$cpu: sha512=$want, its kernel and dispatch tests pass"
done

demo=corpus/demo
echo "demo corpus, jwtbatch verify --stats under qemu-aarch64 (not a performance figure):"
"${qemu[@]}" "$cli" verify --jwks "$demo/jwks.json" --now 1767225600 \
  --iss https://issuer.example.com --aud https://api.example.com --stats "$demo/tokens.txt" > "$build/demo-verdicts.jsonl"
got=$(sed -e 's/.*"status":"\([a-z0-9_]*\)".*/\1/' "$build/demo-verdicts.jsonl")
[ "$got" = "$(cat "$demo/expected.txt")" ] || die "ARM64 verdicts differ from $demo/expected.txt ($build/demo-verdicts.jsonl)"
echo "all $(wc -l < "$demo/expected.txt") ARM64 verdicts match $demo/expected.txt"
# Unforced, the engine hashes on BoringSSL on ARM64 (kernels/sha512/sha512.hpp); forced, it runs the
# HS384/HS512 batches and the RS/PS/ES digests on the kernels, arm_sha512 for SHA-384/512.
QEMU_CPU=max JWTBATCH_FORCE_ISA=neon "${qemu[@]}" "$cli" verify --jwks "$demo/jwks.json" --now 1767225600 \
  --iss https://issuer.example.com --aud https://api.example.com "$demo/tokens.txt" > "$build/demo-verdicts-forced.jsonl"
got=$(sed -e 's/.*"status":"\([a-z0-9_]*\)".*/\1/' "$build/demo-verdicts-forced.jsonl")
[ "$got" = "$(cat "$demo/expected.txt")" ] ||
  die "ARM64 verdicts with JWTBATCH_FORCE_ISA=neon differ from $demo/expected.txt ($build/demo-verdicts-forced.jsonl)"
echo "and with JWTBATCH_FORCE_ISA=neon (the engine on the kernels, sha512=arm_sha512) too"

# --- the same verdicts and the same tests as x86-64 ---------------------------------------------
# The native (x86-64) build is tools/test.sh's build/ (CI runs it first), or JWTBATCH_NATIVE_BUILD
# (a build folder of this checkout that holds the same sources); built here when missing.
native=${JWTBATCH_NATIVE_BUILD:-build}
if [ ! -x "$native/tools/jwtbatch" ] || [ ! -x "$native/tests/jwtbatch_tests" ]; then
  log "no native build in $native/: building jwtbatch and its tests for the comparison"
  cmake -S . -B "$native" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$native" -j"$jobs" --target jwtbatch_cli jwtbatch_tests
fi
"$native/tools/jwtbatch" verify --jwks "$demo/jwks.json" --now 1767225600 \
  --iss https://issuer.example.com --aud https://api.example.com "$demo/tokens.txt" > "$build/demo-verdicts-x86_64.jsonl"
cmp "$build/demo-verdicts-x86_64.jsonl" "$build/demo-verdicts.jsonl" ||
  die "ARM64 and x86-64 verdict lines differ ($build/demo-verdicts.jsonl, $build/demo-verdicts-x86_64.jsonl)"
echo "the demo corpus's $(wc -l < "$build/demo-verdicts.jsonl") verdict lines are byte-identical on ARM64 and x86-64"
# Every test exists on both: the names agree once a kernel variant's name (the parameter of the
# per-variant suites: scalar, avx2, avx512, avx512_ifma, and SHA-256's shani, shani_x1..x3 and
# avx512_x16 (its 16 lanes, tested though not dispatched) on x86-64; scalar, neon, and SHA-384/512's
# arm_sha512 on ARM64; the hash kernels' suite prefixes it with sha256_, sha384_ or sha512_) is
# replaced by <variant>. arm_sha512 is accepted only after sha384_ or sha512_, avx512_x16 only after
# sha256_. Not compared: the ctest labels "nginx", "embed" and "python", the tests that load
# jwtbatch into x86-64 host programs (Debian's nginx, an OpenSSL-linked host, ctypes): this
# machine has no arm64 nginx or OpenSSL to host them, and what they test is the loader, not a kernel.
native_only='nginx|embed|python'
test_names() {
  ctest --test-dir "$1" -N "${@:2}" | sed -n -E 's/^ *Test +#[0-9]+: //p' | sed -E 's/  # GetParam.*//' |
    sed -E -e 's#/(sha384_|sha512_)arm_sha512$#/\1<variant>#' -e 's#/(sha256_)avx512_x16$#/\1<variant>#' \
      -e 's#/((sha256|sha384|sha512)_)?(scalar|avx2|avx512|avx512_ifma|neon|shani|shani_x[0-9]+)$#/\1<variant>#' |
    sort -u
}
x86_names=$(test_names "$native" -LE "$native_only")
arm_names=$(test_names "$build")
[ -n "$x86_names" ] || die "no tests listed in $native/"
if [ "$x86_names" != "$arm_names" ]; then
  diff <(echo "$x86_names") <(echo "$arm_names") >&2 || true
  die "the ARM64 suite and the x86-64 suite differ (above: < x86-64 only, > ARM64 only)"
fi
log "same tests on both: $(wc -l <<<"$x86_names") distinct; x86-64 runs $(ctest --test-dir "$native" -N -LE "$native_only" |
  sed -n 's/^Total Tests: //p') with its variants (and $(ctest --test-dir "$native" -N -L "$native_only" |
  sed -n 's/^Total Tests: //p') host-program tests), ARM64 $(ctest --test-dir "$build" -N | sed -n 's/^Total Tests: //p')"

echo "benchmark smoke run under qemu-aarch64 (checks that it runs; the figures mean nothing):"
"${qemu[@]}" "$build/bench/jwtbatch_bench" --benchmark_min_time=0.01 \
  --benchmark_filter='^BM_(de|en)code_base64url/(scalar|neon)/1024$|^BM_stage/decode/neon$|^BM_verify_e2e/ES256/batch$|^BM_sha512/150/arm_sha512$'
log "smoke runs done after $((SECONDS - start)) s"

# --- the whole suite -------------------------------------------------------------------------
# ctest runs every test through CMAKE_CROSSCOMPILING_EMULATOR, each with its TIMEOUT property
# (tests/CMakeLists.txt); --timeout covers any test without one.
num_tests=$(ctest --test-dir "$build" -N | sed -n 's/^Total Tests: //p')
num_neon=$(ctest --test-dir "$build" -N -R '/neon' | sed -n 's/^Total Tests: //p')
num_sha512=$(ctest --test-dir "$build" -N -R '_arm_sha512$' | sed -n 's/^Total Tests: //p')
log "running $num_tests tests under qemu-aarch64 ($num_neon of them on the neon kernel variant," \
  "$num_sha512 on arm_sha512)"
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout "$qemu_timeout"
