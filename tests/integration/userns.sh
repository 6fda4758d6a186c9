#!/bin/bash
# Containers in a new user namespace, end to end: id maps with several ranges, a network
# namespace joined by path (owned by the host's user namespace), idmapped binds, and the
# host's device nodes left alone.
. "$(dirname "$0")/lifecycle_lib.sh" "$@"

make_bundle "$BUNDLE"
# Container root is host uid 100000; a second range maps container 1000-1999 to 300000.
edit_config "$BUNDLE" '
c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000},
                             {"containerID": 1000, "hostID": 300000, "size": 1000}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000},
                             {"containerID": 1000, "hostID": 300000, "size": 1000}]'
# The rootfs must be reachable by host uid 100000 (mode 755 dirs are).
chmod 755 "$WORK" "$BUNDLE"

# 1. the maps as the container reads them, and who it is
set_args "$BUNDLE" sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"; id -u; id -g'
out=$(cd "$BUNDLE" && oci run userns-1 2>&1)
expect_eq "uid_map and gid_map have both ranges; the process is root inside" "0 100000 1000
1000 300000 1000
0 100000 1000
1000 300000 1000
0
0" "$out"
expect_no_leftovers "run in a user namespace" userns-1 "$BUNDLE"

# 2. a file the container creates on a bind of a host directory belongs to host uid 100000,
#    one created as container uid 1500 to host uid 300500; a host root file shows as nobody.
SHARE=$WORK/share
mkdir -p "$SHARE" && chmod 777 "$SHARE" && echo host >"$SHARE/by-host-root"
# Container root (host uid 100000) cannot create mount points in the host-owned rootfs.
mkdir -p "$BUNDLE/rootfs/share" "$BUNDLE/rootfs/idmapped"
edit_config "$BUNDLE" 'c["mounts"].append({"destination": "/share", "type": "bind", "source": "'"$SHARE"'", "options": ["bind"]})'
set_args "$BUNDLE" sh -c 'touch /share/by-root; stat -c %u /share/by-host-root'
out=$(cd "$BUNDLE" && oci run userns-2 2>&1)
expect_eq "a host root file seen through a plain bind is nobody (65534)" "65534" "$out"
expect_eq "a file made by container root belongs to host uid 100000" "100000" "$(stat -c %u "$SHARE/by-root")"
edit_config "$BUNDLE" 'c["process"]["user"] = {"uid": 1500, "gid": 1500}'
set_args "$BUNDLE" touch /share/by-1500
(cd "$BUNDLE" && oci run userns-3 >/dev/null 2>&1)
expect_eq "a file made by container uid 1500 belongs to host uid 300500 (second range)" "300500:300500" \
  "$(stat -c %u:%g "$SHARE/by-1500" 2>&1)"
edit_config "$BUNDLE" 'c["process"]["user"] = {"uid": 0, "gid": 0}'

# 3. an idmapped bind (container's mappings): the host root's file is root's inside, and
#    what container root writes there belongs to host root.
edit_config "$BUNDLE" 'c["mounts"].append({"destination": "/idmapped", "type": "bind", "source": "'"$SHARE"'", "options": ["bind", "idmap"]})'
set_args "$BUNDLE" sh -c 'stat -c %u /idmapped/by-host-root; touch /idmapped/by-root-idmapped'
out=$(cd "$BUNDLE" && oci run userns-4 2>&1)
expect_eq "through an idmapped bind the host root's file belongs to container root" "0" "$out"
expect_eq "container root writes host-root files through the idmapped bind" "0" \
  "$(stat -c %u "$SHARE/by-root-idmapped" 2>&1)"
expect_no_leftovers "idmapped bind in a user namespace" userns-4 "$BUNDLE"
edit_config "$BUNDLE" 'c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/share", "/idmapped")]'

# 4. a network namespace given by path, owned by the host's user namespace (joined by the
#    runtime before the clone: from inside the new user namespace it could not be).
unshare --net sleep 300 &
holder=$!
sleep 0.2
want=$(readlink /proc/$holder/ns/net)
edit_config "$BUNDLE" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["linux"]["namespaces"].append({"type": "network", "path": "/proc/'"$holder"'/ns/net"})'
set_args "$BUNDLE" readlink /proc/self/ns/net
out=$(cd "$BUNDLE" && oci run userns-5 2>&1)
expect_eq "new user namespace + network namespace by path: the container is in that one" "$want" "$out"
expect_eq "the runtime is back in its own network namespace" "$(readlink /proc/$$/ns/net)" \
  "$(readlink /proc/self/ns/net)"
kill "$holder" 2>/dev/null
wait_job "$holder" 10 "unshare --net sleep 300 after SIGTERM"
edit_config "$BUNDLE" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["linux"]["namespaces"].append({"type": "network"})'

# 5. devices are bound from the host, never chowned: /dev/null works inside and the host's
#    node keeps its owner and mode.
before=$(stat -c %u:%g:%a /dev/null)
set_args "$BUNDLE" sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c'
out=$(cd "$BUNDLE" && oci run userns-6 2>&1)
expect_eq "/dev/null and /dev/zero work in the user namespace" "4" "$out"
expect_eq "the host's /dev/null is untouched" "$before" "$(stat -c %u:%g:%a /dev/null)"
expect_no_leftovers "user namespace containers" userns-6 "$BUNDLE"

finish
