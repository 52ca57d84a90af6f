#!/usr/bin/env bash
# build-module.sh: builds ngx_http_jwtbatch_module.so for the installed nginx, out of tree.
#
#   nginx/build-module.sh OUT_DIR INCLUDE_DIR LOADER_LIB
#
# Debian's nginx-dev ships nginx's configure script and headers in /usr/share/nginx/src, with the
# flags Debian's nginx was configured with (conf_flags). A dynamic module loads only into an nginx
# of the same version and binary signature, so the module is configured with exactly those flags
# (--with-compat among them), in a copy of that tree under OUT_DIR/nginx-src, then `make modules`.
# configure runs again only when its inputs change. The CMake target jwtbatch_nginx_module calls
# this (nginx/CMakeLists.txt). JWTBATCH_NGINX_SRC overrides the source folder.
set -euo pipefail
[ "$#" -eq 3 ] || { echo "usage: $0 OUT_DIR INCLUDE_DIR LOADER_LIB" >&2; exit 2; }
module_dir=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
export JWTBATCH_INCLUDE_DIR=$2 JWTBATCH_LOADER_LIB=$3
src=${JWTBATCH_NGINX_SRC:-/usr/share/nginx/src}
[ -x "$src/configure" ] || { echo "build-module.sh: $src/configure not found: install nginx-dev (tools/setup.sh)" >&2; exit 1; }
work=$out/nginx-src
stamp=$work/.jwtbatch-configured
want=$(cat "$src/conf_flags" "$module_dir/config"; echo "$JWTBATCH_INCLUDE_DIR $JWTBATCH_LOADER_LIB")
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  rm -rf "$work"
  mkdir -p "$work"
  cp -r "$src"/. "$work"/
  # shellcheck disable=SC1091
  if ! (cd "$work" && . ./conf_flags && ./configure "${NGX_CONF_FLAGS[@]}" --with-cc-opt=-O2 \
      --add-dynamic-module="$module_dir") >"$work/configure.log" 2>&1; then
    cat "$work/configure.log" >&2
    echo "build-module.sh: nginx's configure failed (log above)" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
fi
if ! make -C "$work" -f objs/Makefile modules >"$work/make.log" 2>&1; then
  cat "$work/make.log" >&2
  echo "build-module.sh: make modules failed (log above)" >&2
  exit 1
fi
cp "$work/objs/ngx_http_jwtbatch_module.so" "$out/ngx_http_jwtbatch_module.so.tmp"
mv "$out/ngx_http_jwtbatch_module.so.tmp" "$out/ngx_http_jwtbatch_module.so"
