#!/usr/bin/env bash
# One proto, many languages: check the proto with buf, generate the Python, Go and TypeScript clients, start
# inferd, run every example against it, stop it. Exits non-zero if any step or example failed.
#
#   examples/run-examples.sh            (from anywhere; needs node/npm, go, python3, a JDK and Maven)
#
# Installs what it needs inside the checkout, pinned, and skips what is already there at the pinned version:
#   tools/buf/node_modules       buf CLI (npm ci; tools/buf/package-lock.json)
#   examples/node/node_modules   ts-proto, @grpc/grpc-js, tsx, typescript (npm ci; package-lock.json)
#   .tools/venv                  grpcio, grpcio-tools, protobuf (examples/python/requirements.txt)
#   .tools/openai-venv           the official openai Python SDK (examples/openai-python/requirements.txt)
#   .tools/go/bin                protoc-gen-go, protoc-gen-go-grpc, grpcurl (go install, versions below)
# The Java examples (LangChain4j, Spring AI) are standalone Maven projects: mvn fetches their pinned
# dependencies into the local repository (~/.m2) and builds them under examples/*/target.
# Env: INFERD_EXAMPLES_PORT (51051) and INFERD_EXAMPLES_HTTP_PORT (51081) the server's ports; INFERD_EXAMPLES_READY_TIMEOUT (600) seconds to wait for
# the server, which builds itself first if its sources changed; PYTHON (python3) for the virtual environment.
set -euo pipefail

# Go tools: protoc-gen-go comes from google.golang.org/protobuf, kept at examples/go/go.mod's runtime version.
PROTOC_GEN_GO=google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC=google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
GRPCURL=github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="${INFERD_EXAMPLES_PORT:-51051}"
target="127.0.0.1:$port"
http_port="${INFERD_EXAMPLES_HTTP_PORT:-51081}"
ready_timeout="${INFERD_EXAMPLES_READY_TIMEOUT:-600}"
buf=tools/buf/node_modules/.bin/buf
gobin="$root/.tools/go/bin"
venv="$root/.tools/venv"
openai_venv="$root/.tools/openai-venv"
work="$(mktemp -d "${TMPDIR:-/tmp}/inferd-examples.XXXXXX")"
server_log="$work/server.log"
server_pid=""
failures=()
results=()
started=$SECONDS

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

# step NAME COMMAND...: runs one step, records its time and result, and carries on after a failure.
step() {
  local name="$1" t0=$SECONDS rc=0
  shift
  say "$name"
  "$@" || rc=$?
  if [ "$rc" -eq 0 ]; then
    results+=("ok    $(printf '%4ss' $((SECONDS - t0)))  $name")
  else
    results+=("FAIL  $(printf '%4ss' $((SECONDS - t0)))  $name (exit $rc)")
    failures+=("$name")
  fi
  return 0
}

# must NAME COMMAND...: a step the later ones cannot do without; stops the run when it fails.
must() {
  step "$@"
  if [ "${#failures[@]}" -gt 0 ] && [ "${failures[-1]}" = "$1" ]; then
    summary
    exit 1
  fi
}

summary() {
  say "summary ($((SECONDS - started))s)"
  printf '%s\n' "${results[@]}"
  if [ "${#failures[@]}" -gt 0 ]; then
    echo "FAILED: ${failures[*]}"
    [ -s "$server_log" ] && { echo "--- server log (last 40 lines): $server_log"; tail -n 40 "$server_log"; }
  else
    echo "all examples passed"
  fi
  echo "examples: $((${#results[@]} - ${#failures[@]})) passed, ${#failures[@]} failed"
}

# Stops the server (SIGTERM to its process group, so a build still running stops too); SIGKILL after 30 s.
stop_server() {
  [ -n "$server_pid" ] || return 0
  local pid="$server_pid" rc=0
  server_pid=""
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "server did not stop within 30 s of SIGTERM; killing it" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || rc=$?
  echo "server exit status after SIGTERM: $rc"
  return "$rc"
}
trap 'stop_server >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- install ----------------------------------------------------------------------------------------

require() { command -v "$1" >/dev/null || { echo "needs $1 on PATH" >&2; return 1; }; }

# npm ci in DIR unless node_modules already holds exactly DIR/package-lock.json.
npm_ci() {
  local dir="$1" stamp="$1/node_modules/.inferd-installed-lock"
  if cmp -s "$dir/package-lock.json" "$stamp"; then echo "$dir: up to date"; return 0; fi
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error && cp "$dir/package-lock.json" "$stamp"
}

install_python() {
  local stamp="$venv/inferd-installed-requirements.txt"
  if [ -x "$venv/bin/python" ] && cmp -s examples/python/requirements.txt "$stamp"; then
    echo ".tools/venv: up to date"; return 0
  fi
  { [ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"; } \
    && "$venv/bin/python" -m pip install -q --disable-pip-version-check -r examples/python/requirements.txt \
    && cp examples/python/requirements.txt "$stamp"
}

# The OpenAI SDK gets a virtual environment of its own: its dependencies never meet grpcio's.
install_openai_python() {
  local stamp="$openai_venv/inferd-installed-requirements.txt"
  if [ -x "$openai_venv/bin/python" ] && cmp -s examples/openai-python/requirements.txt "$stamp"; then
    echo ".tools/openai-venv: up to date"; return 0
  fi
  { [ -x "$openai_venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$openai_venv"; } \
    && "$openai_venv/bin/python" -m pip install -q --disable-pip-version-check -r examples/openai-python/requirements.txt \
    && cp examples/openai-python/requirements.txt "$stamp"
}

# go install MODULE/CMD@VERSION into .tools/go/bin unless the binary there was built from that version.
go_tool() {
  local spec="$1" pkg="${1%@*}" version="${1##*@}" bin
  bin="$gobin/${pkg##*/}"
  if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | awk '$1 == "mod" {print $3}' | grep -qx "$version"; then
    echo "${pkg##*/} $version: up to date"; return 0
  fi
  GOBIN="$gobin" go install "$spec"
}

install_tools() {
  require node && require npm && require go && require "${PYTHON:-python3}" || return 1
  mkdir -p .tools && printf '*\n' > .tools/.gitignore   # nothing under .tools is committed
  npm_ci tools/buf && npm_ci examples/node && npm_ci examples/openai-node && install_python && install_openai_python \
    && go_tool "$PROTOC_GEN_GO" && go_tool "$PROTOC_GEN_GO_GRPC" && go_tool "$GRPCURL"
}

# --- server -----------------------------------------------------------------------------------------

start_server() {
  # A random key turns authentication on, so every example has to send x-api-key.
  INFERD_API_KEY="examples-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  export INFERD_API_KEY INFERD_TARGET="$target"
  # gRPC and the REST gateway (for the official OpenAI SDK) on the chosen ports; metrics off.
  echo "./inferd serve --port $port --http-port $http_port --metrics-port -1   (log: $server_log)"
  INFERD_API_KEYS="$INFERD_API_KEY" setsid ./inferd serve --port "$port" --http-port "$http_port" \
    --metrics-port -1 </dev/null >"$server_log" 2>&1 &
  server_pid=$!
}

wait_ready() {
  local deadline=$((SECONDS + ready_timeout))
  until grep -q '^inferd ready:' "$server_log" 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      local rc=0
      wait "$server_pid" || rc=$?
      server_pid=""
      echo "server exited with status $rc before it was ready:" >&2
      tail -n 20 "$server_log" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "server not ready after ${ready_timeout}s" >&2
      return 1
    fi
    sleep 0.2
  done
  grep '^inferd ready:' "$server_log"
}

# --- examples ---------------------------------------------------------------------------------------

python_example() { "$venv/bin/python" examples/python/inferd_client.py --ci --target "$target"; }
node_example() {
  (cd examples/node && node_modules/.bin/tsc --noEmit -p . && node_modules/.bin/tsx client.ts --target "$target")
}
go_example() {
  (cd examples/go && go vet ./... && go build -o "$gobin/inferd-go-client" . && "$gobin/inferd-go-client" --target "$target")
}
grpcurl_example() { GRPCURL="$gobin/grpcurl" examples/grpcurl/grpcurl-example.sh "$target"; }
openai_example() {
  (cd examples/openai-node && INFERD_REST_URL="http://127.0.0.1:$http_port/v1" node check.mjs)
}
# java_example DIR: builds the Maven project quietly (errors still show) and runs its check.
java_example() {
  require mvn || return 1
  (cd "examples/$1" && INFERD_REST_URL="http://127.0.0.1:$http_port/v1" \
    mvn -q -B -ntp compile exec:exec)
}

openai_python_example() {
  INFERD_REST_URL="http://127.0.0.1:$http_port/v1" "$openai_venv/bin/python" examples/openai-python/check.py
}

# The server starts first: it builds itself if needed and loads its models while the tools install.
must "start inferd on $target" start_server
must "install tools (buf, ts-proto, grpcio-tools, openai SDKs, Go plugins, grpcurl)" install_tools
step "buf lint" "$buf" lint
step "buf format --diff --exit-code" "$buf" format --diff --exit-code
step "buf breaking --against proto/reference" "$buf" breaking --against proto/reference
must "buf generate" "$buf" generate
must "wait for 'inferd ready:'" wait_ready
step "python: inferd_client.py --ci (unary, server/client streaming, bidi chat)" python_example
step "node: client.ts (tsc, unary, server streaming, client streaming)" node_example
step "go: go vet, go build, unary, server streaming, client streaming" go_example
step "grpcurl: reflection list, health, Complete" grpcurl_example
step "openai-node: official openai SDK, chat (plain, streaming), embeddings, stop, n, logprobs, completions, json_schema over REST" openai_example
step "openai-python: official openai SDK, stop, include_usage, n, developer role, logprobs, completions, json_schema, rejected parameter" openai_python_example
step "langchain4j: OpenAI module, chat (plain, streaming) and embeddings over REST" java_example langchain4j
step "spring-ai: OpenAI starter, chat (plain, streaming) and embeddings over REST" java_example spring-ai
step "stop inferd (SIGTERM; expect exit status 0)" stop_server
summary
[ "${#failures[@]}" -eq 0 ] || exit 1
rm -rf "$work"   # the server log stays only when something failed
