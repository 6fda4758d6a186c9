#!/bin/bash
# create fails cleanly: one clear error line, non-zero exit, nothing left behind.
. "$(dirname "$0")/lifecycle_lib.sh"

make_bundle "$BUNDLE"
set_args "$BUNDLE" true

mv "$BUNDLE/rootfs" "$BUNDLE/rootfs.away"
expect_create_fails "missing rootfs" norootfs "rootfs"
mv "$BUNDLE/rootfs.away" "$BUNDLE/rootfs"

set_args "$BUNDLE" /bin/does-not-exist
expect_create_fails "missing binary" nobinary "does-not-exist"
set_args "$BUNDLE" does-not-exist
expect_create_fails "binary not in PATH" nopath "does-not-exist"
set_args "$BUNDLE" true

cp "$BUNDLE/config.json" "$WORK/config.good"
echo '{"ociVersion": "1.0.0", "process": ' > "$BUNDLE/config.json"
expect_create_fails "bad JSON" badjson "config.json"
cp "$WORK/config.good" "$BUNDLE/config.json"
edit_config "$BUNDLE" 'c["linux"]["namespaces"].append({"type":"pdi"})'
expect_create_fails "unknown namespace type" badns "pdi"
cp "$WORK/config.good" "$BUNDLE/config.json"

edit_config "$BUNDLE" 'c["mounts"].append({"destination":"/mnt","type":"bind","source":"/nonexistent/source","options":["bind"]})'
expect_create_fails "bind of a missing source" nosource "/mnt"
cp "$WORK/config.good" "$BUNDLE/config.json"

# This sandbox lacks CAP_SYS_RESOURCE: a hard limit above ours is refused (EPERM).
hard=$(ulimit -Hn)
edit_config "$BUNDLE" 'c["process"]["rlimits"]=[{"type":"RLIMIT_NOFILE","soft":1024,"hard":'"$((hard + 1))"'}]'
expect_create_fails "rlimit above the hard limit" badrlimit "RLIMIT_NOFILE"
cp "$WORK/config.good" "$BUNDLE/config.json"

edit_config "$BUNDLE" 'c["linux"]["namespaces"].append({"type":"user"}); c["linux"]["uidMappings"]=[{"containerID":0,"hostID":100000,"size":1000}]; c["linux"]["gidMappings"]=c["linux"]["uidMappings"]; c["process"]["user"]={"uid":5000,"gid":0}'
expect_create_fails "a user that is not mapped in the user namespace" unmapped "/process/user/uid: uid 5000 is not mapped"
cp "$WORK/config.good" "$BUNDLE/config.json"

edit_config "$BUNDLE" 'c["hooks"]={"prestart":[{"path":"/bin/false"}]}'
expect_create_fails "failing prestart hook" badhook "prestart"
cp "$WORK/config.good" "$BUNDLE/config.json"

edit_config "$BUNDLE" 'c["hooks"]={"createRuntime":[{"path":"/bin/sh","args":["sh","-c","exit 3"]}]}'
expect_create_fails "failing createRuntime hook" badhook2 "createRuntime"
cp "$WORK/config.good" "$BUNDLE/config.json"

edit_config "$BUNDLE" 'c["hooks"]={"createContainer":[{"path":"/bin/false"}]}'
expect_create_fails "failing createContainer hook (in the init)" badhook3 "createContainer"
cp "$WORK/config.good" "$BUNDLE/config.json"

out=$(oci --cgroup-manager systemd create --bundle "$BUNDLE" sd 2>&1); rc=$?
# No systemd on this host (systemd_driver.sh tests the driver against a private one).
expect_eq "systemd driver without systemd: fails" 1 "$rc"
expect_contains "systemd driver without systemd: says so" "connect to systemd" "$out"
expect_no_leftovers "systemd driver without systemd" sd "$BUNDLE"

oci create --bundle "$BUNDLE" "bad/id" >/dev/null 2>&1; expect_eq "invalid id" 1 $?
oci create --bundle "$BUNDLE" dup >/dev/null 2>&1
out=$(oci create --bundle "$BUNDLE" dup 2>&1); expect_contains "duplicate id" "already exists" "$out"
oci delete --force dup
expect_no_leftovers "duplicate id" dup "$BUNDLE"

out=$(oci delete missing 2>&1); rc=$?
expect_eq "delete of a missing container fails" 1 "$rc"
expect_contains "delete of a missing container says so" "does not exist" "$out"
oci delete --force missing; expect_eq "delete --force of a missing container succeeds" 0 $?

finish
