#!/usr/bin/env bash
# Aggregate decode rate of `glm4j serve` with 1 and with N concurrent requests (continuous batching).
# Usage: glm4j-server/bench/parallel-decode.sh [MODEL.gguf] [N=4] [TOKENS=256]
# Starts a server on a free loopback port, sends 1 then N streaming-free chat requests that each
# generate exactly TOKENS tokens (ignore_eos), and prints tokens per second of wall time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:-$root/../shared/fixtures/glm45/tiny-glm45air-F32.gguf}"
n="${2:-4}"
tokens="${3:-256}"
port=$((20000 + RANDOM % 20000))
log="$(mktemp)"
"$root/glm4j" serve -m "$model" --port "$port" --parallel "$n" --ctx $((tokens + 128)) >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

one() {
  curl -sf "http://127.0.0.1:$port/v1/chat/completions" -H 'Content-Type: application/json' -d '{
    "messages": [{"role": "user", "content": "Request '"$1"': tell me about free software."}],
    "max_tokens": '"$tokens"', "ignore_eos": true, "temperature": 0.6, "seed": '"$1"'}' >/dev/null
}
run() { # $1 concurrent requests
  local start end
  start=$(date +%s.%N)
  for i in $(seq "$1"); do one "$i" & done
  wait
  end=$(date +%s.%N)
  echo "$1 $(echo "$1 * $tokens / ($end - $start)" | bc -l)"
}
one 0 # warm-up: JIT and page cache
read -r _ single < <(run 1)
read -r _ batched < <(run "$n")
printf 'model: %s\n1 sequence: %.1f tokens/s\n%d sequences: %.1f tokens/s aggregate (%.2fx)\n' \
  "$(basename "$model")" "$single" "$n" "$batched" "$(echo "$batched / $single" | bc -l)"
