#!/usr/bin/env bash
# install_consumer.sh BUILD_DIR WORK_DIR CORPUS_DIR: installs the build into WORK_DIR/prefix
# (cmake --install --prefix), then builds tests/embed/consumer against it with find_package(jwtbatch)
# (both imported targets) and with pkg-config (both .pc files), and runs all four programs.
set -euo pipefail
build=$1 work=$2 corpus=$3
src=$(cd "$(dirname "$0")" && pwd)/consumer
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/jwtbatch/jwtbatch.h lib/libjwtbatch.so.0 lib/libjwtbatch_loader.a \
         lib/cmake/jwtbatch/jwtbatchConfig.cmake lib/pkgconfig/jwtbatch.pc lib/pkgconfig/jwtbatch-loader.pc; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done
args=("$corpus/jwks.json" "$corpus/tokens.txt" "$corpus/expected.txt")

cmake -S "$src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake-build" >/dev/null
echo "find_package, jwtbatch::jwtbatch:"; "$work/cmake-build/consumer_direct" "${args[@]}"

# The C++ API from the installed package: jwtbatch.hpp without BoringSSL's include directory, the
# system's <openssl/...> beside it, and no engine/ header reachable (its CMakeLists.txt checks).
cmake -S "$src/../consumer_cxx" -B "$work/cxx-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  | grep "jwtbatch consumer:"
cmake --build "$work/cxx-build" >/dev/null
"$work/cxx-build/consumer_cxx" "${args[@]}"
# The library exports the C API and the public C++ API, nothing of the engine or the kernels.
exported=$(nm -DC --defined-only "$prefix/lib/libjwtbatch.so.0")
for want in 'jwtbatch_verify' 'jwtbatch::Verifier::verify_batch' 'jwtbatch::KeySet::from_jwks' \
            'jwtbatch::find_tokens' 'jwtbatch::explain'; do
  grep -qF "$want" <<<"$exported" || { echo "libjwtbatch.so.0 does not export $want" >&2; exit 1; }
done
if grep -E 'jwtbatch::(engine|kernels)::|simdjson::' <<<"$exported" | head -3 | grep .; then
  echo "libjwtbatch.so.0 exports internals (above)" >&2
  exit 1
fi
# The loader finds the installed libjwtbatch.so.0 through the RUNPATH the package adds.
echo "find_package, jwtbatch::loader:"; env -u JWTBATCH_LIBRARY "$work/cmake-build/consumer_loader" "${args[@]}"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc=${CC:-cc}
# shellcheck disable=SC2046
"$cc" -o "$work/pc_direct" "$src/consumer.c" $(pkg-config --cflags --libs jwtbatch)
# shellcheck disable=SC2046
"$cc" -o "$work/pc_loader" "$src/consumer.c" $(pkg-config --cflags --libs --static jwtbatch-loader)
echo "pkg-config jwtbatch:"; "$work/pc_direct" "${args[@]}"
echo "pkg-config jwtbatch-loader:"; env -u JWTBATCH_LIBRARY "$work/pc_loader" "${args[@]}"
# The package does not depend on the build tree: move the prefix and run again.
mv "$prefix" "$work/moved"
echo "moved prefix, loader with JWTBATCH_LIBRARY:"
JWTBATCH_LIBRARY=$work/moved/lib/libjwtbatch.so.0 "$work/pc_loader" "${args[@]}"
echo PASS
