#!/usr/bin/env bash
# nginx-load.sh: load test of the nginx module with wrk, on loopback: requests/s of one location
# with jwtbatch verification against the same location without authentication, served by the same
# nginx in the same run, for HS256 and ES256 tokens, with the verified-token cache on and off.
#
#   tools/nginx-load.sh [--duration S] [--reps N] [--connections C] [--workers W] [--tokens N]
#
# Defaults: 5 s per wrk run, 3 repetitions (medians reported), 32 connections, 1 nginx worker,
# 1000 distinct tokens per algorithm (a wrk Lua script sends them round-robin, every request with an
# Authorization header, also to the open location, so both see the same bytes). The location serves
# a small static file (a content handler: `return` would answer before the access phase). Runs are
# interleaved (open, cache on, cache off, then again) so that drift on a shared machine hits all
# three alike. Needs a Release build in build/ (tools/test.sh makes one); installs wrk when missing.
# Prints a Markdown table; the raw wrk outputs stay in build/nginx-load/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
duration=5 reps=3 connections=32 workers=1 count=1000
while [ "$#" -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --tokens) count=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "usage: tools/nginx-load.sh [--duration S] [--reps N] [--connections C] [--workers W] [--tokens N]" >&2; exit 2 ;;
  esac
done

tools/setup.sh wrk
module=$root/build/nginx/ngx_http_jwtbatch_module.so
library=${JWTBATCH_LIBRARY:-$(ls "$root"/build/capi/libjwtbatch.so 2>/dev/null || true)}
cli=$root/build/tools/jwtbatch
for f in "$module" "$library" "$cli"; do
  [ -n "$f" ] && [ -e "$f" ] || { echo "nginx-load.sh: build first (tools/test.sh): missing ${f:-libjwtbatch.so}" >&2; exit 1; }
done

out=$root/build/nginx-load
rm -rf "$out"
mkdir -p "$out/www"
echo '{"ok":true}' >"$out/www/x.json"
now=$(date +%s)
for alg in HS256 ES256; do
  "$cli" gen --out "$out/$alg" --count "$count" --algs "$alg" --fail-rate 0 --now "$now" >/dev/null
done
# One key set with both algorithms' keys (kids hs256-1, es256-1).
python3 - "$out" <<'EOF'
import json, sys
out = sys.argv[1]
keys = [k for alg in ("HS256", "ES256") for k in json.load(open(f"{out}/{alg}/jwks.json"))["keys"]]
json.dump({"keys": keys}, open(f"{out}/jwks.json", "w"))
EOF

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root;"
cat >"$out/nginx.conf" <<EOF
load_module $module;
daemon off;
master_process on;
worker_processes $workers;
$user_line
error_log $out/error.log warn;
pid $out/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $out/tmp_body; proxy_temp_path $out/tmp_proxy;
  fastcgi_temp_path $out/tmp_fastcgi; uwsgi_temp_path $out/tmp_uwsgi; scgi_temp_path $out/tmp_scgi;
  jwtbatch_library $library;
  open_file_cache max=100;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    location /open/ { alias $out/www/; }
    location = /stats { jwtbatch_stats; }
    location /cache-on/ {
      alias $out/www/;
      jwtbatch on;
      jwtbatch_jwks $out/jwks.json;
      jwtbatch_issuer https://issuer.example.com;
      jwtbatch_audience https://api.example.com;
      jwtbatch_claim_header sub X-Jwt-Sub;
    }
    location /cache-off/ {
      alias $out/www/;
      jwtbatch on;
      jwtbatch_jwks $out/jwks.json;
      jwtbatch_issuer https://issuer.example.com;
      jwtbatch_audience https://api.example.com;
      jwtbatch_claim_header sub X-Jwt-Sub;
      jwtbatch_cache off;
    }
  }
}
EOF
cat >"$out/tokens.lua" <<'EOF'
-- Round-robin over the tokens of $TOKENS, one Authorization header per request, to $LOCATION.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local path = os.getenv("LOCATION") .. "x.json"
local i = 0
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[i] })
end
EOF

nginx -p "$out/" -c "$out/nginx.conf" &
nginx_pid=$!
trap 'kill -QUIT $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/open/x.json" && break
  sleep 0.1
done

# run ALG LOCATION REP: one wrk run; prints requests/s. Fails on any non-2xx response or socket error.
run() {
  local alg=$1 location=$2 rep=$3 log
  log=$out/wrk-$alg-${location//\//}-$rep.txt
  TOKENS=$out/$alg/tokens.txt LOCATION=$location wrk -t1 -c"$connections" -d"${duration}s" \
    -s "$out/tokens.lua" "http://127.0.0.1:$port" >"$log"
  if grep -qE 'Non-2xx|Socket errors' "$log"; then
    cat "$log" >&2
    echo "nginx-load.sh: errors in $log" >&2
    exit 1
  fi
  awk '/^Requests\/sec:/ {print $2}' "$log"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "| alg | cache | no auth (req/s) | jwtbatch (req/s) | ratio |"
echo "|---|---|---:|---:|---:|"
for alg in HS256 ES256; do
  open=() on=() off=()
  for rep in $(seq "$reps"); do
    open+=("$(run "$alg" /open/ "$rep")")
    on+=("$(run "$alg" /cache-on/ "$rep")")
    off+=("$(run "$alg" /cache-off/ "$rep")")
  done
  m_open=$(printf '%s\n' "${open[@]}" | median)
  m_on=$(printf '%s\n' "${on[@]}" | median)
  m_off=$(printf '%s\n' "${off[@]}" | median)
  awk -v a="$alg" -v o="$m_open" -v on="$m_on" -v off="$m_off" 'BEGIN {
    printf "| %s | on | %.0f | %.0f | %.2f |\n", a, o, on, on / o
    printf "| %s | off | %.0f | %.0f | %.2f |\n", a, o, off, off / o }'
done
echo "(wrk -t1 -c$connections -d${duration}s, medians of $reps, nginx worker_processes $workers, $count tokens per alg round-robin)"
# The cache's counters, as jwtbatch_stats reports them (one worker's, when there are several).
curl -s "http://127.0.0.1:$port/stats" >"$out/stats.json"
python3 - "$out/stats.json" <<'PY'
import json, sys
for v in json.load(open(sys.argv[1]))["verifiers"]:
    print("%s: %d tokens, %d ok, cache hits %d, misses %d" % (
        "cache on " if v["cache_capacity"] else "cache off", v["tokens"], v["statuses"]["ok"], v["cache_hits"], v["cache_misses"]))
PY
