#!/usr/bin/env bash
# Sustained OTLP ingest into the embedded store (issue 5's "≥ 300,000 spans/s" figure): starts
# `ariadne serve` on a fresh data directory with the defaults (embedded store, fsync=always with
# group commit, blocks cut and written as they fill), drives it with ariadne-loadgen at maximum
# rate, prints the loadgen's report (acknowledged spans/s, refused requests, ack latency, server
# CPU and peak RSS), then stops the server.
#
#   tools/loadgen/ingest_embedded.sh <bin dir> <grpc|http> <connections> <seconds>
#   e.g. tools/loadgen/ingest_embedded.sh build/release/bin grpc 4 60
#
# Data goes to $ARIADNE_INGEST_DIR (default /tmp/ariadne-ingest), wiped first. Ports 24317
# (gRPC) and 24318 (HTTP) must be free. Results: docs/performance.md.
set -euo pipefail

if [[ $# -ne 4 ]]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
bin=$1 protocol=$2 connections=$3 seconds=$4
dir=${ARIADNE_INGEST_DIR:-/tmp/ariadne-ingest}
case $protocol in
  grpc) port=24317 ;;
  http) port=24318 ;;
  *) echo "protocol must be grpc or http" >&2; exit 2 ;;
esac

rm -rf "$dir"
mkdir -p "$dir"
"$bin/ariadne" serve --storage embedded --data-dir "$dir/data" --query-port 0 \
  --otlp-grpc-port 24317 --otlp-http-port 24318 --jaeger-compact-port 0 \
  --jaeger-binary-port 0 --jaeger-http-port 0 --zipkin-port 0 >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if grep -q "ready\|listening" "$dir/serve.log" 2>/dev/null; then break; fi
  sleep 0.1
done
"$bin/ariadne-loadgen" --protocol "$protocol" --port "$port" --connections "$connections" \
  --duration "$seconds" --server-pid "$server"
