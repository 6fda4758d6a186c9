#!/bin/bash
# rss_floor.sh [OCISTART] [N]: the peak RSS (medians of N runs of /usr/bin/time -f %M) of
# programs that do nothing but load what ocistart must load, against `state` of one
# created container of ocistart and of crun (bench/README.md "Where the memory goes").
#   c            main() {} in C: the C library alone
#   simdjson     C++ linking simdjson (shared only in Debian, so libstdc++.so, libm, libgcc_s)
#   +CLI11       the same constructing a CLI::App with one option and parsing argv (CLI11
#                builds std::locale() in its constructor, so the classic locale is set up)
# Run as root (the containers are created under a private --root and deleted again).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ocistart=$(realpath "${1:-$here/../build/src/ocistart}")
n=${2:-20}
work=$(mktemp -d /var/tmp/rss-floor.XXXXXX)
cleanup() {
  "$ocistart" --root "$work/root-o" delete -f rss >/dev/null 2>&1 || true
  crun --root "$work/root-c" delete -f rss >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

echo 'int main(void) { return 0; }' >c.c
cat >floor.cc <<'EOF'
#include <simdjson.h>
#ifdef WITH_CLI11
#include <CLI/CLI.hpp>
#endif
int main(int argc, char** argv) {
#ifdef WITH_CLI11
  CLI::App app{"floor"};
  std::string root;
  app.add_option("--root", root);
  app.allow_extras();
  app.parse(argc, argv);
#endif
  if (argc > 100) {  // never taken: linked and loaded, not run
    simdjson::ondemand::parser p;
    simdjson::padded_string j("{}", 2);
    auto d = p.iterate(j);
    (void)d;
  }
  (void)argv;
  return 0;
}
EOF
gcc -Os -o c c.c
g++ -std=c++20 -Os -o simdjson floor.cc -lsimdjson
g++ -std=c++20 -Os -DWITH_CLI11 -o cli11 floor.cc -lsimdjson

"$here/lib/make-true-bundle" "$work/bundle" >/dev/null
"$ocistart" --root "$work/root-o" create -b "$work/bundle" rss
crun --root "$work/root-c" create -b "$work/bundle" rss

peak() {  # LABEL CMD...: the median of n peak RSS, in MB
  local label=$1
  shift
  for _ in $(seq "$n"); do
    /usr/bin/time -o "$work/t" -f %M "$@" >/dev/null 2>&1 || true
    cat "$work/t"
  done | sort -n | awk -v n="$n" -v l="$label" '{ a[NR] = $1 } END { printf "%-22s %5.2f MB\n", l, a[int((n + 1) / 2)] / 1024 }'
}
echo "peak RSS, median of $n"
peak "c" ./c
peak "simdjson" ./simdjson
peak "simdjson+CLI11" ./cli11 --root x state rss
peak "ocistart state" "$ocistart" --root "$work/root-o" state rss
peak "crun state" crun --root "$work/root-c" state rss
