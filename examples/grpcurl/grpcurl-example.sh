#!/usr/bin/env bash
# inferd with grpcurl, through server reflection (no .proto needed): list the services, describe the
# API, make one Complete call and check that the JSON answer has a choice with content.
#   examples/grpcurl/grpcurl-example.sh [HOST:PORT]    (default $INFERD_TARGET, else 127.0.0.1:50051)
# Env: INFERD_API_KEY (sent as x-api-key), GRPCURL (the binary; default .tools/go/bin/grpcurl, else PATH).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${1:-${INFERD_TARGET:-127.0.0.1:50051}}"
grpcurl="${GRPCURL:-$root/.tools/go/bin/grpcurl}"
[ -x "$grpcurl" ] || grpcurl="$(command -v grpcurl)" || { echo "grpcurl: not found (examples/run-examples.sh installs it)" >&2; exit 1; }
auth=()
[ -n "${INFERD_API_KEY:-}" ] && auth=(-H "x-api-key: $INFERD_API_KEY")

fail() { echo "grpcurl example: FAILED: $*" >&2; exit 1; }

echo "== services (reflection)"
services="$("$grpcurl" -plaintext "$target" list)"
echo "$services"
grep -qx 'ai.inference.v1.InferenceService' <<<"$services" || fail "reflection does not list ai.inference.v1.InferenceService"
grep -qx 'grpc.health.v1.Health' <<<"$services" || fail "reflection does not list grpc.health.v1.Health"

echo "== methods"
methods="$("$grpcurl" -plaintext "$target" list ai.inference.v1.InferenceService)"
echo "$methods"
for m in Complete StreamComplete BatchEmbed Chat; do
  grep -qx "ai.inference.v1.InferenceService.$m" <<<"$methods" || fail "no method $m"
done

echo "== health"
health="$("$grpcurl" -plaintext "$target" grpc.health.v1.Health/Check)"
echo "$health"
grep -q '"SERVING"' <<<"$health" || fail "health is not SERVING"

echo "== Complete"
answer="$("$grpcurl" -plaintext "${auth[@]}" -max-time 60 \
  -d '{"messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":32,"seed":7}' \
  "$target" ai.inference.v1.InferenceService/Complete)" || fail "Complete call failed"
echo "$answer"
python3 - "$answer" <<'PY' || fail "Complete answer has no choice with content"
import json, sys
answer = json.loads(sys.argv[1])
choices = answer.get("choices") or []
assert choices, "no choices"
message = choices[0].get("message") or {}
assert message.get("role") == "assistant", f"role {message.get('role')!r}"
assert message.get("content", "").strip(), "empty content"
assert choices[0].get("finish_reason", choices[0].get("finishReason")) in ("stop", "length"), "finish_reason"
usage = answer.get("usage") or {}
total = usage.get("total_tokens", usage.get("totalTokens", 0))
prompt = usage.get("prompt_tokens", usage.get("promptTokens", 0))
completion = usage.get("completion_tokens", usage.get("completionTokens", 0))
assert prompt + completion == total and completion > 0, f"usage {usage}"
PY
echo "grpcurl example: all checks passed"
