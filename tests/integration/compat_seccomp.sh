#!/bin/bash
# What runc's seccomp.bats and seccomp-notify.bats expect, seen from the container:
#  - with a denying default, a syscall newer than the profile gets ENOSYS, an older one
#    not named gets the default errno (the -ENOSYS stub);
#  - startContainer hooks run under the filter and as the process's user (runc's order:
#    everything is applied before create returns);
#  - SCMP_ACT_NOTIFY on read, recvmsg, sendmsg, close, openat, execve does not deadlock the
#    hand-off of the listener fd (only write is refused, in runc's words), for run and exec;
#  - no agent at listenerPath fails create in runc's words, leaving nothing behind.
. "$(dirname "$0")/lifecycle_lib.sh"

# --- the -ENOSYS stub ---
if printf 'int main(void){return 0;}' | gcc -static -x c -o "$WORK/probe" - 2>/dev/null; then
  make_bundle "$BUNDLE"
  cat >"$WORK/probe.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
  long a = syscall(1000, 0, 0, 0);
  int e1 = a < 0 ? errno : 0;
  long b = syscall(SYS_unshare, 0);
  int e2 = b < 0 ? errno : 0;
  printf("nr1000=%d unshare=%d\n", e1, e2);
  return 0;
}
C
  gcc -static -O1 -o "$BUNDLE/rootfs/probe" "$WORK/probe.c" || fail "compile the probe"
  # Every x86_64 syscall the headers know but unshare: the profile's last number is the
  # newest in this libc's headers, far below 1000.
  allowed=$(sed -n 's/^#define __NR_\([a-z0-9_]*\) [0-9]*$/\1/p' /usr/include/x86_64-linux-gnu/asm/unistd_64.h |
    grep -vx unshare | "$PY" -c 'import json, sys; print(json.dumps(sys.stdin.read().split()))')
  set_args "$BUNDLE" /probe
  edit_config "$BUNDLE" "c['linux']['seccomp']={'defaultAction':'SCMP_ACT_ERRNO',
    'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_X32'],
    'syscalls':[{'names':$allowed,'action':'SCMP_ACT_ALLOW'}]}"
  out=$(cd "$BUNDLE" && oci run enosys 2>&1)
  expect_eq "enosys: newer than the profile ENOSYS, older EPERM" "nr1000=38 unshare=1" "$out"
  edit_config "$BUNDLE" "c['linux']['seccomp']['defaultErrnoRet']=6"
  out=$(cd "$BUNDLE" && oci run enosys2 2>&1)
  expect_eq "enosys: defaultErrnoRet for older ones" "nr1000=38 unshare=6" "$out"
  expect_no_leftovers "enosys" enosys2 "$BUNDLE"
else
  echo "skip: no static gcc for the -ENOSYS probe"
fi

# --- startContainer hooks: under the filter, as the process's user ---
make_bundle "$BUNDLE"
set_args "$BUNDLE" true
edit_config "$BUNDLE" "c['linux']['seccomp']={'defaultAction':'SCMP_ACT_ALLOW',
  'syscalls':[{'names':['mkdir','mkdirat'],'action':'SCMP_ACT_KILL'}]}
c['hooks']={'startContainer':[{'path':'/bin/sh','args':['sh','-c','mkdir /dev/shm/hooked']}]}"
out=$(cd "$BUNDLE" && oci run hookkill 2>&1); rc=$?
expect_eq "hook under seccomp: run fails" 1 "$rc"
expect_contains "hook under seccomp: runc's words" "error running hook" "$out"
expect_contains "hook under seccomp: killed by the filter" "bad system call" "$out"
expect_no_leftovers "hook under seccomp" hookkill "$BUNDLE"

edit_config "$BUNDLE" "c['process']['user']={'uid':1000,'gid':1000}
c['hooks']={'startContainer':[{'path':'/bin/sh','args':['sh','-c','echo hook-uid=\$(id -u)']}]}"
out=$(cd "$BUNDLE" && oci run hookuser 2>&1)
expect_contains "startContainer hook runs as the process's user" "hook-uid=1000" "$out"
expect_no_leftovers "hook user" hookuser "$BUNDLE"

# --- SCMP_ACT_NOTIFY: refusals and errors in runc's words ---
make_bundle "$BUNDLE"
set_args "$BUNDLE" true
edit_config "$BUNDLE" "c['linux']['seccomp']={'defaultAction':'SCMP_ACT_ALLOW',
  'listenerPath':'$WORK/agent.sock', 'syscalls':[{'names':['write'],'action':'SCMP_ACT_NOTIFY'}]}"
out=$(cd "$BUNDLE" && oci run notifywrite 2>&1); rc=$?
expect_eq "notify write: refused" 1 "$rc"
expect_contains "notify write: runc's words" "SCMP_ACT_NOTIFY cannot be used for the write syscall" "$out"
expect_no_leftovers "notify write" notifywrite "$BUNDLE"

edit_config "$BUNDLE" "c['linux']['seccomp']['syscalls']=[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]"
out=$(cd "$BUNDLE" && oci run noagent 2>&1); rc=$?
expect_eq "no agent: fails" 1 "$rc"
expect_contains "no agent: runc's words" "failed to connect with seccomp agent" "$out"
expect_no_leftovers "no agent" noagent "$BUNDLE"

# --- SCMP_ACT_NOTIFY on the calls of the hand-off itself, with an agent that lets every
# notified call continue and logs its number ---
# shellcheck source=lib/seccomp_agent.sh
. "$(dirname "$0")/lib/seccomp_agent.sh"
start_agent "$WORK/agent.sock" "$WORK/agent.log" continue
notified() { grep -c "^{\"nr\": $1}\$" "$WORK/agent.log" | awk '{print ($1 > 0)}'; }

NOTIFIED="'read','recvmsg','sendmsg','close','openat','execve','mkdir','mkdirat'"
set_args "$BUNDLE" sh -c 'mkdir /dev/shm/made && echo made'
for nnp in True False; do
  # WAIT_KILLABLE_RECV reaches seccomp(2) even with libseccomp 2.5.
  edit_config "$BUNDLE" "c['process']['noNewPrivileges']=$nnp
c['linux']['seccomp']['flags']=['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']
c['linux']['seccomp']['syscalls']=[{'names':[$NOTIFIED],'action':'SCMP_ACT_NOTIFY'}]"
  : >"$WORK/agent.log"
  out=$(cd "$BUNDLE" && oci run "handoff$nnp" 2>&1); rc=$?
  expect_eq "notify on the hand-off's calls (noNewPrivileges $nnp): no deadlock" 0 "$rc"
  expect_eq "notify on the hand-off's calls (noNewPrivileges $nnp): the process ran" made "$out"
  # 47 recvmsg: the init's wait for `seccomp_taken`, notified once the agent had the fd.
  expect_eq "notify (noNewPrivileges $nnp): the init's recvmsg was notified" 1 "$(notified 47)"
  expect_eq "notify (noNewPrivileges $nnp): execve was notified" 1 "$(notified 59)"
  expect_no_leftovers "notify hand-off ($nnp)" "handoff$nnp" "$BUNDLE"
done

set_args "$BUNDLE" sleep 300
CREATED_IDS="handoffexec"
(cd "$BUNDLE" && oci run -d handoffexec >/dev/null 2>&1)
expect_eq "notify: run -d" 0 $?
out=$(oci exec handoffexec sh -c 'mkdir /dev/shm/byexec && echo exec-made' 2>&1)
expect_eq "notify: exec with the same profile" exec-made "$out"
oci delete --force handoffexec >/dev/null 2>&1
CREATED_IDS=""
expect_no_leftovers "notify exec" handoffexec "$BUNDLE"

finish
