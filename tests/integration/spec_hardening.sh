#!/bin/bash
# What a config cannot get by leaving something out, repeating a key, hiding a NUL or being
# huge (issue 9, items 3, 8 and 10). Each check fails on a runtime that (a) runs a config
# without process.capabilities with the runtime's own capabilities, (b) reads the last of
# two "capabilities" keys, (c) cuts strings at a NUL ("/etc\u0000x" masked /etc), or
# (d) reads a config of any size.
. "$(dirname "$0")/lifecycle_lib.sh"

zeros=0000000000000000
# caps_of STATUS-TEXT: "CapInh=.. CapPrm=.. CapEff=.. CapBnd=.. CapAmb=.." from /proc/N/status.
caps_of() { printf '%s\n' "$1" | sed -n 's/^\(Cap[A-Za-z]*\):[[:space:]]*\([0-9a-f]*\)$/\1=\2/p' | tr '\n' ' '; }
all_zero="CapInh=$zeros CapPrm=$zeros CapEff=$zeros CapBnd=$zeros CapAmb=$zeros "


make_bundle "$BUNDLE"
cp "$BUNDLE/config.json" "$WORK/config.good"
restore() { cp "$WORK/config.good" "$BUNDLE/config.json"; }

# --- 3. no capabilities object: no capabilities ---------------------------------------
edit_config "$BUNDLE" 'del c["process"]["capabilities"]'
set_args "$BUNDLE" cat /proc/self/status
out=$(bounded_output 30 "$OCISTART" --root "$ROOT" run -b "$BUNDLE" nocaps </dev/null); rc=$?
expect_eq "run without process.capabilities" 0 "$rc"
expect_eq "no capabilities object: every set empty, the bounding set too" "$all_zero" "$(caps_of "$out")"
expect_no_leftovers "run nocaps" nocaps "$BUNDLE"

# exec into it: no more than the container has, with or without --process.
set_args "$BUNDLE" sleep 100
CREATED_IDS="$CREATED_IDS nocaps2"
bounded 20 "$OCISTART" --root "$ROOT" run -b "$BUNDLE" -d nocaps2 </dev/null >/dev/null 2>&1
expect_eq "run -d nocaps2" 0 $?
out=$(bounded_output 20 "$OCISTART" --root "$ROOT" exec nocaps2 cat /proc/self/status)
expect_eq "exec into a container without capabilities: none" "$all_zero" "$(caps_of "$out")"
printf '{"args": ["cat", "/proc/self/status"], "cwd": "/"}' > "$WORK/nocaps-process.json"
out=$(bounded_output 20 "$OCISTART" --root "$ROOT" exec -p "$WORK/nocaps-process.json" nocaps2)
expect_eq "exec -p without capabilities into it: none" "$all_zero" "$(caps_of "$out")"
oci delete --force nocaps2

# A process file without capabilities gets the container's (runc), not the runtime's.
restore
set_args "$BUNDLE" sleep 100
CREATED_IDS="$CREATED_IDS withcaps"
bounded 20 "$OCISTART" --root "$ROOT" run -b "$BUNDLE" -d withcaps </dev/null >/dev/null 2>&1
expect_eq "run -d withcaps" 0 $?
init=$(bounded_output 20 "$OCISTART" --root "$ROOT" exec withcaps cat /proc/1/status)
out=$(bounded_output 20 "$OCISTART" --root "$ROOT" exec -p "$WORK/nocaps-process.json" withcaps)
expect_eq "exec -p without capabilities: the container's sets" "$(caps_of "$init")" "$(caps_of "$out")"
case "$(caps_of "$out")" in
  *"CapEff=$zeros"*|*"CapEff=000001ffffffffff"*|*"CapEff=000001fffeffffff"*)
    fail "exec -p: the container's default capabilities expected, got $(caps_of "$out")" ;;
  *) pass "exec -p: neither none nor all" ;;
esac
oci delete --force withcaps

# --- 3. a duplicate key cannot drop the capabilities object -----------------------------
restore
set_args "$BUNDLE" true
"$PY" - "$BUNDLE/config.json" <<'PY'
import json, sys
path = sys.argv[1]
text = json.dumps(json.load(open(path)))
# A second "capabilities", null: with last-wins it would drop the first.
text = text.replace('"process": {', '"process": {"capabilities": null, ', 1)
open(path, "w").write(text)
PY
expect_create_fails "a second \"capabilities\" key" dupcaps '/process: duplicate key "capabilities"'

# --- 8. strings with a NUL byte -------------------------------------------------------
restore
edit_config "$BUNDLE" 'c["linux"]["maskedPaths"] = ["/etc\u0000x"]'
expect_create_fails "a NUL in maskedPaths" nulmask '/linux/maskedPaths/0: the string contains a NUL byte'
restore
edit_config "$BUNDLE" 'c["hostname"] = "box\u0000evil"'
expect_create_fails "a NUL in hostname" nulhost '/hostname: the string contains a NUL byte'
restore
edit_config "$BUNDLE" 'c["linux"]["sysctl"] = {"kernel.domainname\u0000x": "a"}'
expect_create_fails "a NUL in a sysctl key" nulsysctl '/linux/sysctl/kernel.domainname\x00x: the key contains a NUL byte'
restore
edit_config "$BUNDLE" 'c["linux"]["sysctl"] = {"kernel.domainname": "a\u0000b"}'
expect_create_fails "a NUL in a sysctl value" nulsysval '/linux/sysctl/kernel.domainname: the string contains a NUL byte'

# Long things are shown by their ends: a 2 KB key in a JSON pointer, a 1 KB id.
restore
edit_config "$BUNDLE" 'c["annotations"] = {"k" * 2000: 1}'
CREATED_IDS="$CREATED_IDS longkey"
oci create --bundle "$BUNDLE" longkey >"$WORK/create.out" 2>&1 </dev/null
out=$(cat "$WORK/create.out")
expect_contains "a bad value under a 2 KB key: named" "expected a string, got number" "$out"
[ ${#out} -lt 400 ] && pass "its error line is short (${#out} bytes)" || fail "a ${#out}-byte error line"
restore
long_id=$(printf 'a%.0s' $(seq 250))
out=$(oci state "$long_id" 2>&1)
expect_contains "state of a 250-byte id: the error says so" "does not exist" "$out"
[ ${#out} -lt 400 ] && pass "its error line is short (${#out} bytes)" || fail "a ${#out}-byte error line"
# 1000 bytes pass the id check but name no file (NAME_MAX): whatever the error, it is short.
long_id=$(printf 'a%.0s' $(seq 1000))
out=$(oci state "$long_id" 2>&1)
expect_eq "state of a 1000-byte id: one error line" 1 "$(printf '%s\n' "$out" | grep -c .)"
[ ${#out} -lt 500 ] && pass "its error line is short (${#out} bytes)" || fail "a ${#out}-byte error line"
out=$(oci state "${long_id}${long_id}" 2>&1)
expect_contains "a 2000-byte id is refused" "longer than 1024 bytes" "$out"
[ ${#out} -lt 200 ] && pass "its error line is short (${#out} bytes)" || fail "a ${#out}-byte error line"
out=$(oci state one "${long_id}${long_id}" 2>&1 | head -1)
expect_contains "a 2000-byte argument too many: a usage error" "not expected" "$out"
[ ${#out} -lt 300 ] && pass "its error line is short (${#out} bytes)" || fail "a ${#out}-byte error line"

# --- 10. size limit -----------------------------------------------------------------
# A valid 16 MB config (one big annotation), which a reader without a limit accepts.
"$PY" - "$BUNDLE/config.json" <<'PY'
import json, sys
path = sys.argv[1]
c = json.load(open(path))
c["annotations"] = {"pad": "x" * (16 << 20)}
json.dump(c, open(path, "w"))
PY
start=${EPOCHREALTIME/./}
expect_create_fails "a 16 MB config.json" huge 'config.json is larger than 8 MiB'
ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
[ "$ms" -lt 3000 ] && pass "refused in ${ms} ms" || fail "refusing a 16 MB config took ${ms} ms"
restore

# exec --process and update --resources read no more than that either.
set_args "$BUNDLE" sleep 100
CREATED_IDS="$CREATED_IDS sized"
bounded 20 "$OCISTART" --root "$ROOT" run -b "$BUNDLE" -d sized </dev/null >/dev/null 2>&1
expect_eq "run -d sized" 0 $?
"$PY" -c 'import json, sys; json.dump({"args": ["true"], "cwd": "/", "env": ["PAD=" + "x" * (16 << 20)]}, open(sys.argv[1], "w"))' "$WORK/huge-process.json"
out=$(bounded_output 20 "$OCISTART" --root "$ROOT" exec -p "$WORK/huge-process.json" sized); rc=$?
[ $rc -ne 0 ] && pass "exec -p with a 16 MB file fails ($rc)" || fail "exec -p with a 16 MB file succeeded"
expect_contains "exec -p: the error names the file and the limit" "\`$WORK/huge-process.json\` is larger than 8 MiB" "$out"
expect_eq "exec -p: one error line" 1 "$(printf '%s\n' "$out" | grep -c .)"
"$PY" -c 'import json, sys; json.dump({"pids": {"limit": 100}, "x-pad": "x" * (16 << 20)}, open(sys.argv[1], "w"))' "$WORK/huge-resources.json"
out=$(bounded_output 20 "$OCISTART" --root "$ROOT" update -r "$WORK/huge-resources.json" sized); rc=$?
[ $rc -ne 0 ] && pass "update -r with a 16 MB file fails ($rc)" || fail "update -r with a 16 MB file succeeded"
expect_contains "update -r: the error names the file and the limit" "huge-resources.json\` is larger than 8 MiB" "$out"
out=$(bounded_output 20 bash -c '"$1" --root "$2" update -r - sized < "$3"' _ "$OCISTART" "$ROOT" "$WORK/huge-resources.json"); rc=$?
[ $rc -ne 0 ] && pass "update -r - with 16 MB fails ($rc)" || fail "update -r - with 16 MB succeeded"
expect_contains "update -r -: the error names standard input" "standard input is larger than 8 MiB" "$out"
oci delete --force sized
expect_no_leftovers "spec_hardening" sized "$BUNDLE"
finish
