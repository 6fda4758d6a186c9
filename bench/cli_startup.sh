#!/bin/bash
# cli_startup.sh [-n ROUNDS] [-c 'ARGS']... NAME=BINARY...: CPU and wall medians of short
# CLI invocations (`state x`, `start x`, `delete x`, `create -b /nonexistent x` by
# default) of each binary, interleaved round by round; the first binary is the reference
# (bench/README.md "CLI startup"; bench/lib/cli_startup.py says how).
# Example: bench/cli_startup.sh -n 400 before=/root/ocibin/ocistart-s16-final2 after=build/src/ocistart
exec /usr/bin/python3 "$(dirname "$0")/lib/cli_startup.py" "$@"
