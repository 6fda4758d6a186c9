#!/bin/bash
# machinectl's verbs for a running container (issue 12), cgroupfs driver: shell (the
# user's shell, home and environment from the container's /etc/passwd, through a pty, its
# exit status), copy-to / copy-from (files and trees, content and mode, the container's
# symlinks never followed out of its root, a tmpfs mounted inside), bind (content,
# --read-only, --mkdir, a symlink as destination refused, nothing mounted on the host).
. "$(dirname "$0")/lifecycle_lib.sh" "$@"
PTY_RUN=$(dirname "$0")/lib/pty_run.py

make_bundle "$BUNDLE"
R=$BUNDLE/rootfs
mkdir -p "$R/home/alice" "$R/usr/local/bin" "$R/root"
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1001:Alice:/home/alice:/usr/local/bin/alice-shell\n' >"$R/etc/passwd"
printf 'root:x:0:\nalice:x:1001:\nstaff:x:50:alice\n' >"$R/etc/group"
# Alice's shell says that it ran, and how, then is a plain sh.
printf '#!/bin/sh\necho "alice-shell $*"\nexec /bin/sh "$@"\n' >"$R/usr/local/bin/alice-shell"
chmod 755 "$R/usr/local/bin/alice-shell"
chown 1000:1001 "$R/home/alice"
set_args "$BUNDLE" sleep 1000
edit_config "$BUNDLE" 'c["root"]["readonly"]=False; c["process"]["env"].append("FROM_CONFIG=1")'
CREATED_IDS="c1"
oci --cgroup-manager cgroupfs run -d --bundle "$BUNDLE" c1 </dev/null >"$WORK/run.out" 2>&1 ||
  { echo "FAIL: run -d: $(cat "$WORK/run.out")"; exit 1; }
PID=$(oci state c1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')

# shell_pty OUT INPUT ARGS...: `ocistart shell ARGS` on a pty; status in $rc.
shell_pty() {
  local out=$1 input=$2; shift 2
  "$PY" "$PTY_RUN" "$out" 30 "$input" "$OCISTART" --root "$ROOT" shell "$@" 2>>"$WORK/.hung"; rc=$?
  tr -d '\r' <"$out" >"$out.txt"
}
one_line_error() {  # what needle command...
  local what=$1 needle=$2; shift 2
  "$@" >"$WORK/err.out" 2>&1 </dev/null; local rc=$?
  local out; out=$(cat "$WORK/err.out")
  if [ "$rc" = 0 ]; then fail "$what: succeeded"; return; fi
  echo "  ($what) $out"
  expect_contains "$what: the error names it" "$needle" "$out"
  expect_eq "$what: one error line" 1 "$(printf '%s\n' "$out" | grep -c .)"
}

# ---- shell ----
shell_pty "$WORK/sh1" "" c1 sh -c 'exit 3'
expect_eq "shell: the exit status is the command's" 3 "$rc"
shell_pty "$WORK/sh2" "" -u alice -E FOO=bar c1 sh -c \
  'echo "$SHELL|$HOME|$USER|$LOGNAME|$FOO|$PATH|$TERM|${FROM_CONFIG:-unset}"; pwd; id -u; id -g; id -G; tty'
expect_eq "shell -u alice: status" 0 "$rc"
expect_eq "shell -u alice: SHELL, HOME, USER, LOGNAME, -E, PATH, our TERM; the container's env not inherited" \
  "/usr/local/bin/alice-shell|/home/alice|alice|alice|bar|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|xterm-machine-test|unset" \
  "$(sed -n 1p "$WORK/sh2.txt" | tr -d '\0')"
expect_eq "shell -u alice: cwd is the home, uid, gid, groups (as initgroups)" "/home/alice 1000 1001 1001 50" \
  "$(echo $(sed -n '2,5p' "$WORK/sh2.txt"))"
expect_contains "shell: a pty" "/dev/pts/" "$(sed -n 6p "$WORK/sh2.txt")"
shell_pty "$WORK/sh3" $'echo "in=$(pwd)"; exit 5\n' -u alice c1
expect_eq "shell with no command: exit status of the login shell" 5 "$rc"
expect_contains "shell with no command: the user's shell from the container's passwd, with -l" "alice-shell -l" \
  "$(cat "$WORK/sh3.txt")"
expect_contains "shell with no command: starts in the home" "in=/home/alice" "$(cat "$WORK/sh3.txt")"
shell_pty "$WORK/sh4" "" c1 sh -c 'echo "$HOME $(pwd) $(id -u)"'
expect_eq "shell as root (default)" "/root /root 0" "$(head -1 "$WORK/sh4.txt" | tr -d '\0')"
one_line_error "shell -u unknown" "no user \`bob\` in the container's /etc/passwd" oci shell -u bob c1 true
one_line_error "shell on an unknown container" "container \`nope\` does not exist" oci shell nope true

# ---- copy-to / copy-from ----
H=$WORK/host
mkdir -p "$H/tree/sub"
echo hello >"$H/f"; chmod 0640 "$H/f"
echo deep >"$H/tree/sub/d"; chmod 0751 "$H/tree/sub"; ln -s /etc/passwd "$H/tree/link"
oci copy-to c1 "$H/f" /tmp/f && oci copy-to c1 "$H/tree" /tmp/tree
expect_eq "copy-to: file and tree succeed" 0 $?
expect_eq "copy-to: content, mode and owner seen inside" "hello -rw-r----- 0 deep drwxr-x--x /etc/passwd" \
  "$(echo $(oci exec c1 sh -c 'cat /tmp/f; stat -c "%A %u" /tmp/f; cat /tmp/tree/sub/d; stat -c %A /tmp/tree/sub; readlink /tmp/tree/link'))"
touch -d '2001-02-03 04:05:06' "$H/f"
oci copy-to --mkdir c1 "$H/f" /new/dir/f
expect_eq "copy-to --mkdir: the parents are made" hello "$(oci exec c1 cat /new/dir/f)"
expect_eq "copy-to keeps the modification time" "$(stat -c %Y "$H/f")" "$(oci exec c1 stat -c %Y /new/dir/f)"
one_line_error "copy-to onto an existing file" "destination \`/tmp/f\` already exists" oci copy-to c1 "$H/f" /tmp/f
one_line_error "copy-to a missing source" "source \`$H/missing\`" oci copy-to c1 "$H/missing" /tmp/m
one_line_error "copy-to without --mkdir" "no such file or directory" oci copy-to c1 "$H/f" /nodir/f
oci copy-from c1 /tmp/tree "$H/back" && oci copy-from c1 /tmp/f "$H/f.back"
expect_eq "copy-from: tree and file succeed" 0 $?
expect_eq "copy-from: content and modes" "deep drwxr-x--x /etc/passwd hello -rw-r-----" \
  "$(echo $(cat "$H/back/sub/d"; stat -c %A "$H/back/sub"; readlink "$H/back/link"; cat "$H/f.back"; stat -c %A "$H/f.back"))"
one_line_error "copy-from a stopped container's id" "container \`nope\` does not exist" oci copy-from nope /tmp/f "$H/x"

# The container plants symlinks out of its root: /etc/x -> a host file, /data -> /.
HOSTONLY=$WORK/hostonly
mkdir -p "$HOSTONLY"; echo original >"$HOSTONLY/victim"
oci exec c1 sh -c "ln -s $HOSTONLY/victim /etc/x; ln -s / /data"
# What the test is about: the host's own path into the container follows them out.
expect_eq "(setup) /proc/PID/root/data/... reaches the host file: a naive copy would be fooled" original \
  "$(cat "/proc/$PID/root/data$HOSTONLY/victim" 2>&1)"
one_line_error "copy-to through a planted file symlink" "destination \`/etc/x\` is a symlink" \
  oci copy-to c1 "$H/f" /etc/x
one_line_error "copy-to through a planted directory symlink" "no such file or directory" \
  oci copy-to c1 "$H/f" "/data$HOSTONLY/victim"
one_line_error "copy-to a new file through a planted directory symlink" "no such file or directory" \
  oci copy-to c1 "$H/f" "/data$HOSTONLY/new"
oci copy-to --mkdir c1 "$H/f" "/data$HOSTONLY/new2"
expect_eq "copy-to --mkdir through /data -> /: lands inside the container's root" hello \
  "$(cat "$R$HOSTONLY/new2" 2>&1)"
one_line_error "copy-from a planted file symlink" "source \`/etc/x\` is a symlink" oci copy-from c1 /etc/x "$H/x1"
one_line_error "copy-from through a planted directory symlink" "no such file or directory" \
  oci copy-from c1 "/data$HOSTONLY/victim" "$H/x2"
expect_eq "the host file is untouched, nothing new beside it" "original victim" \
  "$(echo $(cat "$HOSTONLY/victim"; ls "$HOSTONLY"))"
expect_eq "nothing copied out through the symlinks" "" "$(ls "$H/x1" "$H/x2" 2>/dev/null)"
# A tmpfs the container mounted after it started: only its mount namespace has it.
oci exec --cap CAP_SYS_ADMIN c1 sh -c 'mkdir -p /mnt/t && mount -t tmpfs none /mnt/t' </dev/null
oci copy-to c1 "$H/f" /mnt/t/f
expect_eq "copy-to into a tmpfs mounted inside shows up inside" hello "$(oci exec c1 cat /mnt/t/f)"
expect_eq "... and not in the rootfs directory under it" "" "$(ls "$R/mnt/t")"
oci copy-from c1 /mnt/t/f "$H/from-tmpfs"
expect_eq "copy-from out of that tmpfs" hello "$(cat "$H/from-tmpfs")"
# No set-id bits and no special file out of the container (a fifo: the default spec's
# container may not mknod devices; the rule is the same).
oci exec c1 sh -c 'cp /bin/busybox /tmp/suid; chmod 4755 /tmp/suid; mkfifo /tmp/dev' </dev/null
oci copy-from c1 /tmp/suid "$H/suid"
expect_eq "copy-from drops set-user-ID" "-rwxr-xr-x" "$(stat -c %A "$H/suid")"
one_line_error "copy-from a fifo" "is a device node, fifo or socket" oci copy-from c1 /tmp/dev "$H/dev"
expect_eq "the refused device left nothing" "" "$(ls "$H/dev" 2>/dev/null)"

# ---- bind ----
B=$WORK/bindsrc
mkdir -p "$B"; echo bound >"$B/in"
host_mounts() { grep -E " ($WORK|/srv)" /proc/self/mountinfo | sort; }
before=$(host_mounts)
one_line_error "bind onto a missing destination" "destination \`/tmp/nothere\` does not exist" oci bind c1 "$B" /tmp/nothere
oci bind --mkdir c1 "$B" /srv/b
expect_eq "bind --mkdir: the host directory's content inside" bound "$(oci exec c1 cat /srv/b/in)"
oci exec c1 sh -c 'echo w >/srv/b/w' </dev/null
expect_eq "bind: a write inside reaches the host directory" w "$(cat "$B/w" 2>&1)"
oci bind --read-only --mkdir c1 "$B" /srv/ro
expect_eq "bind --read-only: readable inside" bound "$(oci exec c1 cat /srv/ro/in)"
out=$(oci exec c1 sh -c 'echo x >/srv/ro/x && echo written' 2>&1 </dev/null)
expect_contains "bind --read-only: a write inside fails" "Read-only file system" "$out"
echo file >"$WORK/bindfile"
oci bind --mkdir c1 "$WORK/bindfile" /etc/bound-file
expect_eq "bind of a file, --mkdir makes an empty file for it" file "$(oci exec c1 cat /etc/bound-file)"
one_line_error "bind onto a planted symlink" "destination \`/etc/x\` is a symlink" oci bind c1 "$B" /etc/x
one_line_error "bind --mkdir onto a planted symlink" "is a symlink" oci bind --mkdir c1 "$B" /etc/x
one_line_error "bind of a missing source" "source \`$WORK/nosuch\`" oci bind --mkdir c1 "$WORK/nosuch" /srv/n
oci bind --mkdir c1 "$B" "/data$HOSTONLY/mnt" </dev/null
expect_eq "bind through /data -> / stays inside the container's root" "" "$(ls -d "$HOSTONLY/mnt" 2>/dev/null)"
expect_eq "bind: the host's mount table is unchanged" "$before" "$(host_mounts)"
expect_eq "bind: nothing mounted over the symlink inside" "0" \
  "$(oci exec c1 grep -c ' /etc/x ' /proc/self/mountinfo)"

# ---- a user namespace: copy-to owner, bind ----
make_bundle "$WORK/ub"
chmod 755 "$WORK" "$WORK/ub"
chown -R 200000:200000 "$WORK/ub/rootfs"
set_args "$WORK/ub" sleep 1000
edit_config "$WORK/ub" 'c["root"]["readonly"]=False
l=c["linux"]; l["namespaces"].append({"type": "user"})
l["uidMappings"]=[{"containerID": 0, "hostID": 200000, "size": 65536}]
l["gidMappings"]=[{"containerID": 0, "hostID": 200000, "size": 65536}]
c["mounts"]=[m for m in c["mounts"] if m["destination"] != "/sys"]'
CREATED_IDS="$CREATED_IDS u1"
oci --cgroup-manager cgroupfs run -d --bundle "$WORK/ub" u1 </dev/null >"$WORK/run.out" 2>&1 ||
  fail "run -d with a user namespace: $(cat "$WORK/run.out")"
oci copy-to u1 "$H/f" /tmp/uf
expect_eq "copy-to in a user namespace: owned by the container's root (host 200000), root inside" "200000:200000 0:0" \
  "$(stat -c %u:%g "$WORK/ub/rootfs/tmp/uf") $(oci exec u1 stat -c %u:%g /tmp/uf)"
oci copy-to --mkdir u1 "$H/tree" /opt/new/tree
expect_eq "copy-to --mkdir in a user namespace: parents and tree owned by the container's root" "0:0 0:0 0:0" \
  "$(echo $(oci exec u1 stat -c %u:%g /opt/new /opt/new/tree /opt/new/tree/sub/d))"
oci bind --mkdir --read-only u1 "$B" /srv/b
expect_eq "bind in a user namespace: the content inside" bound "$(oci exec u1 cat /srv/b/in)"
expect_eq "bind --mkdir in a user namespace: the mount point owned by the container's root" "200000:200000" \
  "$(stat -c %u:%g "$WORK/ub/rootfs/srv")"
expect_eq "bind in a user namespace: the host's mount table is unchanged" "$before" "$(host_mounts)"

# A container that is not running (created, not started) is refused by every verb.
CREATED_IDS="$CREATED_IDS c2"
oci --cgroup-manager cgroupfs create --bundle "$BUNDLE" c2 </dev/null >/dev/null 2>&1 || fail "create c2"
for verb in "shell c2 true" "copy-to c2 $H/f /tmp/nr" "copy-from c2 /etc/passwd $H/nr" "bind --mkdir c2 $B /srv/nr"; do
  # shellcheck disable=SC2086
  one_line_error "${verb%% *} on a created container" "container \`c2\` is not running (created)" oci $verb
done
expect_eq "nothing made for a container that is not running" "" "$(ls "$H/nr" "$R/tmp/nr" "$R/srv/nr" 2>/dev/null)"
oci delete --force c2
oci delete --force u1 && oci delete --force c1
expect_eq "delete after the verbs" 0 $?
CREATED_IDS=""
expect_eq "nothing of the binds left on the host" "$before" "$(host_mounts)"
expect_no_leftovers "machine verbs" c1 "$BUNDLE"
finish
