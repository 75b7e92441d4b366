#!/usr/bin/env bash
# The developer's entry point (README.md quickstart).
#   ./dev.sh serve [ariadne demo flags]    install deps, build, run the server with demo traffic
#   ./dev.sh test                          install deps, build, run every test (CI runs this)
#   ./dev.sh test-sanitizers               the same tests under ASan+UBSan, then TSan
#   ./dev.sh build [preset]                build only (release by default)
set -euo pipefail
cd "$(dirname "$0")"

build() {
  local preset=${1:-release}
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
  serve)
    tools/install-deps.sh
    build release
    exec build/release/bin/ariadne demo "$@"
    ;;
  test)
    tools/install-deps.sh
    build release
    cmake --build --preset release --target format-check
    ctest --preset release
    ;;
  test-sanitizers)
    # Both presets run even if the first fails; the exit status says whether both passed.
    # Reports halt the test (ASAN_/UBSAN_/TSAN_OPTIONS in CMakePresets.json, tools/sanitizers/).
    tools/install-deps.sh
    failed=""
    for preset in debug tsan; do
      echo "== $preset: build"
      build "$preset"
      echo "== $preset: test"
      ctest --preset "$preset" || failed="$failed $preset"
    done
    if [ -n "$failed" ]; then
      echo "sanitizer tests failed in:$failed"
      exit 1
    fi
    echo "sanitizer tests passed in: debug (ASan+UBSan) tsan (TSan)"
    ;;
  build)
    build "${1:-release}"
    ;;
  *)
    sed -n '2,6p' "$0" | sed 's/^# //'
    exit 2
    ;;
esac
