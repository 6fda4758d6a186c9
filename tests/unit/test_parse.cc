// parse_config on the valid corpus (tests/data/configs/valid): runc/crun generated specs,
// the README busybox example and maximal.json, which sets every field of config.h.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "spec/parse.h"

using namespace ocistart::spec;

namespace {

std::string valid_path(const std::string& name) { return std::string(OCISTART_TEST_DATA) + "/configs/valid/" + name; }

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Config parse_ok(const std::string& text) {
  ocistart::util::Result<Config> r = parse_config(text);
  if (!r)
    FAIL("parse failed: " << r.error().message);
  return std::move(r).value();
}

Config parse_file(const std::string& name) {
  std::string text = read_text(valid_path(name));
  REQUIRE_FALSE(text.empty());
  return parse_ok(text);
}

}  // namespace

TEST_CASE("parse: runc spec") {
  Config c = parse_file("runc-spec.json");
  CHECK(c.oci_version == "1.0.2-dev");
  REQUIRE(c.root);
  CHECK(c.root->path == "rootfs");
  CHECK(c.root->readonly);
  CHECK(c.hostname == "runc");
  CHECK(c.domainname.empty());
  REQUIRE(c.process);
  const Process& p = *c.process;
  CHECK(p.terminal);
  CHECK_FALSE(p.console_size);
  CHECK(p.user.uid == 0);
  CHECK(p.user.gid == 0);
  CHECK_FALSE(p.user.umask);
  CHECK(p.args == std::vector<std::string>{"sh"});
  CHECK(p.env ==
        std::vector<std::string>{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
  CHECK(p.cwd == "/");
  REQUIRE(p.capabilities);
  CHECK(p.capabilities->bounding == std::vector<std::string>{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  CHECK(p.capabilities->inheritable.empty());
  CHECK(p.capabilities->ambient.size() == 3);
  REQUIRE(p.rlimits.size() == 1);
  CHECK(p.rlimits[0].type == "RLIMIT_NOFILE");
  CHECK(p.rlimits[0].soft == 1024);
  CHECK(p.rlimits[0].hard == 1024);
  CHECK(p.no_new_privileges);
  CHECK_FALSE(p.oom_score_adj);
  REQUIRE(c.mounts.size() == 7);
  CHECK(c.mounts[0].destination == "/proc");
  CHECK(c.mounts[0].type == "proc");
  CHECK(c.mounts[0].source == "proc");
  CHECK(c.mounts[0].options.empty());
  CHECK(c.mounts[2].destination == "/dev/pts");
  CHECK(c.mounts[2].options.back() == "gid=5");
  CHECK(c.mounts[6].destination == "/sys/fs/cgroup");
  CHECK_FALSE(c.hooks);
  CHECK(c.annotations.empty());
  REQUIRE(c.linux_);
  const Linux& l = *c.linux_;
  REQUIRE(l.namespaces.size() == 5);
  CHECK(l.namespaces[0].type == NamespaceType::pid);
  CHECK(l.namespaces[1].type == NamespaceType::network);
  CHECK(l.namespaces[2].type == NamespaceType::ipc);
  CHECK(l.namespaces[3].type == NamespaceType::uts);
  CHECK(l.namespaces[4].type == NamespaceType::mount);
  CHECK(l.namespaces[4].path.empty());
  REQUIRE(l.resources);
  REQUIRE(l.resources->devices.size() == 1);
  CHECK_FALSE(l.resources->devices[0].allow);
  CHECK(l.resources->devices[0].access == "rwm");
  CHECK(l.resources->devices[0].type.empty());
  CHECK_FALSE(l.resources->devices[0].major);
  CHECK_FALSE(l.resources->memory);
  CHECK(l.masked_paths.size() == 10);
  CHECK(l.masked_paths.front() == "/proc/acpi");
  CHECK(l.readonly_paths.back() == "/proc/sysrq-trigger");
  CHECK_FALSE(l.seccomp);
  CHECK(l.uid_mappings.empty());
}

TEST_CASE("parse: runc spec --rootless") {
  Config c = parse_file("runc-spec-rootless.json");
  REQUIRE(c.linux_);
  REQUIRE(c.linux_->uid_mappings.size() == 1);
  CHECK(c.linux_->uid_mappings[0].size == 1);
  REQUIRE(c.linux_->gid_mappings.size() == 1);
  CHECK(c.linux_->namespaces.back().type == NamespaceType::user);
  CHECK_FALSE(c.linux_->resources);
  CHECK(c.mounts[5].type == "none");
  CHECK(c.mounts[5].source == "/sys");
  CHECK(c.mounts[5].options.front() == "rbind");
}

TEST_CASE("parse: crun spec and crun spec --rootless") {
  Config c = parse_file("crun-spec.json");
  CHECK(c.oci_version == "1.0.0");
  REQUIRE(c.process);
  REQUIRE(c.process->capabilities);
  CHECK(c.process->capabilities->inheritable.empty());  // crun writes "inheritable": []
  CHECK(c.process->args == std::vector<std::string>{"sh"});
  REQUIRE(c.linux_);
  CHECK_FALSE(c.linux_->namespaces.empty());

  Config r = parse_file("crun-spec-rootless.json");
  REQUIRE(r.linux_);
  bool has_user = false;
  for (const Namespace& ns : r.linux_->namespaces)
    has_user = has_user || ns.type == NamespaceType::user;
  CHECK(has_user);
}

TEST_CASE("parse: README busybox example") {
  Config c = parse_file("busybox.json");
  REQUIRE(c.process);
  CHECK_FALSE(c.process->terminal);
  CHECK(c.process->args == std::vector<std::string>{"sh", "-c", "hostname; cat /proc/self/mountinfo"});
  CHECK(c.hostname == "busybox");
}

TEST_CASE("parse: maximal.json, top level, root, mounts, annotations") {
  Config c = parse_file("maximal.json");
  CHECK(c.oci_version == "1.3.0");
  REQUIRE(c.root);
  CHECK(c.root->path == "/srv/bundles/web/rootfs");
  CHECK(c.root->readonly);
  CHECK(c.hostname == "web");
  CHECK(c.domainname == "example.org");
  REQUIRE(c.mounts.size() == 2);
  const Mount& m = c.mounts[1];
  CHECK(m.destination == "/data");
  CHECK(m.type == "bind");
  CHECK(m.source == "/srv/data");
  CHECK(m.options == std::vector<std::string>{"rbind", "ro", "idmap"});
  REQUIRE(m.uid_mappings.size() == 1);
  CHECK(m.uid_mappings[0] == IdMapping{0, 100000, 65536});
  REQUIRE(m.gid_mappings.size() == 1);
  CHECK(m.gid_mappings[0] == IdMapping{0, 200000, 65537});
  CHECK(c.annotations.size() == 3);
  CHECK(c.annotations.at("org.opencontainers.image.title") == "web");
  CHECK(c.annotations.at("io.example/with~slash") == "tilde and slash");
  CHECK(c.annotations.at("") == "empty key");
}

TEST_CASE("parse: maximal.json, process") {
  Config c = parse_file("maximal.json");
  REQUIRE(c.process);
  const Process& p = *c.process;
  CHECK(p.terminal);
  REQUIRE(p.console_size);
  CHECK(p.console_size->height == 40);
  CHECK(p.console_size->width == 132);
  CHECK(p.user.uid == 1000);
  CHECK(p.user.gid == 1001);
  REQUIRE(p.user.umask);
  CHECK(*p.user.umask == 18);
  CHECK(p.user.additional_gids == std::vector<uint32_t>{5, 6, 4294967295u});
  CHECK(p.user.username == "web");
  CHECK(p.args == std::vector<std::string>{"/bin/server", "--port", "8080"});
  CHECK(p.command_line == "server.exe --port 8080");
  CHECK(p.env == std::vector<std::string>{"PATH=/usr/bin:/bin", "TERM=xterm", "LANG=C.UTF-8"});
  CHECK(p.cwd == "/srv");
  REQUIRE(p.capabilities);
  CHECK(p.capabilities->bounding == std::vector<std::string>{"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"});
  CHECK(p.capabilities->effective == std::vector<std::string>{"CAP_KILL"});
  CHECK(p.capabilities->inheritable == std::vector<std::string>{"CAP_CHOWN"});
  CHECK(p.capabilities->permitted == std::vector<std::string>{"CAP_KILL", "CAP_NET_BIND_SERVICE"});
  CHECK(p.capabilities->ambient == std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
  REQUIRE(p.rlimits.size() == 2);
  CHECK(p.rlimits[0].type == "RLIMIT_NOFILE");
  CHECK(p.rlimits[0].soft == 1024);
  CHECK(p.rlimits[0].hard == 4096);
  CHECK(p.rlimits[1].type == "RLIMIT_CORE");
  CHECK(p.rlimits[1].soft == 0);
  CHECK(p.rlimits[1].hard == UINT64_MAX);
  CHECK(p.no_new_privileges);
  CHECK(p.apparmor_profile == "ocistart-default");
  REQUIRE(p.oom_score_adj);
  CHECK(*p.oom_score_adj == -500);
  REQUIRE(p.scheduler);
  CHECK(p.scheduler->policy == "SCHED_DEADLINE");
  CHECK(p.scheduler->nice == -5);
  CHECK(p.scheduler->priority == 7);
  CHECK(p.scheduler->flags == std::vector<std::string>{"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"});
  CHECK(p.scheduler->runtime == 10000000);
  CHECK(p.scheduler->deadline == 20000000);
  CHECK(p.scheduler->period == 30000000);
  CHECK(p.selinux_label == "system_u:system_r:container_t:s0:c1,c2");
  REQUIRE(p.io_priority);
  CHECK(p.io_priority->io_class == "IOPRIO_CLASS_BE");
  CHECK(p.io_priority->priority == 4);
  REQUIRE(p.exec_cpu_affinity);
  CHECK(p.exec_cpu_affinity->initial == "0-3");
  CHECK(p.exec_cpu_affinity->final_ == "2,3");
}

TEST_CASE("parse: maximal.json, hooks") {
  Config c = parse_file("maximal.json");
  REQUIRE(c.hooks);
  const Hooks& h = *c.hooks;
  REQUIRE(h.prestart.size() == 1);
  CHECK(h.prestart[0].path == "/usr/bin/prestart");
  CHECK(h.prestart[0].args == std::vector<std::string>{"prestart", "a"});
  CHECK(h.prestart[0].env == std::vector<std::string>{"A=1"});
  REQUIRE(h.prestart[0].timeout);
  CHECK(*h.prestart[0].timeout == 5);
  REQUIRE(h.create_runtime.size() == 2);
  CHECK(h.create_runtime[0].path == "/usr/bin/create-runtime");
  CHECK_FALSE(h.create_runtime[0].timeout);
  CHECK(h.create_runtime[1].timeout.value_or(0) == INT64_MAX);
  REQUIRE(h.create_container.size() == 1);
  CHECK(h.create_container[0].path == "/usr/bin/create-container");
  REQUIRE(h.start_container.size() == 1);
  CHECK(h.start_container[0].env == std::vector<std::string>{"B=2", "C=3"});
  REQUIRE(h.poststart.size() == 1);
  CHECK(h.poststart[0].timeout.value_or(0) == 1);
  REQUIRE(h.poststop.size() == 1);
  CHECK(h.poststop[0].args == std::vector<std::string>{"poststop", "--clean"});
}

TEST_CASE("parse: maximal.json, linux") {
  Config c = parse_file("maximal.json");
  REQUIRE(c.linux_);
  const Linux& l = *c.linux_;
  REQUIRE(l.namespaces.size() == 8);
  const NamespaceType order[] = {NamespaceType::pid,    NamespaceType::network, NamespaceType::mount,
                                 NamespaceType::ipc,    NamespaceType::uts,     NamespaceType::user,
                                 NamespaceType::cgroup, NamespaceType::time};
  for (std::size_t i = 0; i < 8; ++i)
    CHECK(l.namespaces[i].type == order[i]);
  CHECK(l.namespaces[1].path == "/var/run/netns/web");
  REQUIRE(l.uid_mappings.size() == 2);
  CHECK(l.uid_mappings[1] == IdMapping{65536, 4294967295u, 1});
  REQUIRE(l.gid_mappings.size() == 1);
  CHECK(l.gid_mappings[0] == IdMapping{0, 200000, 65536});
  REQUIRE(l.time_offsets.size() == 2);
  CHECK(l.time_offsets.at("monotonic").secs == -86400);
  CHECK(l.time_offsets.at("monotonic").nanosecs == 500);
  CHECK(l.time_offsets.at("boottime").secs == INT64_MAX);
  CHECK(l.time_offsets.at("boottime").nanosecs == UINT32_MAX);
  REQUIRE(l.devices.size() == 3);
  CHECK(l.devices[0].type == "c");
  CHECK(l.devices[0].path == "/dev/fuse");
  CHECK(l.devices[0].major == 10);
  CHECK(l.devices[0].minor == 229);
  CHECK(l.devices[0].file_mode.value_or(0) == 0666);
  CHECK(l.devices[0].uid.value_or(0) == 1000);
  CHECK(l.devices[0].gid.value_or(0) == 1001);
  CHECK(l.devices[1].type == "b");
  CHECK(l.devices[1].major == 8);
  CHECK_FALSE(l.devices[1].file_mode);
  CHECK(l.devices[2].type == "p");
  CHECK(l.devices[2].major == 0);
  CHECK(l.cgroups_path == "machine.slice:ocistart:web");
  REQUIRE(l.intel_rdt);
  CHECK(l.intel_rdt->clos_id == "guaranteed_group");
  CHECK(l.intel_rdt->schemata == std::vector<std::string>{"L3:0=7f0;1=1f", "MB:0=20;1=70"});
  CHECK(l.intel_rdt->l3_cache_schema == "L3:0=7f0;1=1f");
  CHECK(l.intel_rdt->mem_bw_schema == "MB:0=20;1=70");
  CHECK(l.intel_rdt->enable_cmt);
  CHECK(l.intel_rdt->enable_mbm);
  CHECK(l.intel_rdt->enable_monitoring);
  REQUIRE(l.sysctl.size() == 2);
  CHECK(l.sysctl.at("net.ipv4.ip_forward") == "1");
  CHECK(l.sysctl.at("net/ipv4/conf/eth0/forwarding") == "0");
  CHECK(l.rootfs_propagation == "rslave");
  CHECK(l.masked_paths == std::vector<std::string>{"/proc/kcore", "/proc/keys", "/sys/firmware"});
  CHECK(l.readonly_paths == std::vector<std::string>{"/proc/sys", "/proc/sysrq-trigger"});
  CHECK(l.mount_label == "system_u:object_r:container_file_t:s0:c1,c2");
  REQUIRE(l.personality);
  CHECK(l.personality->domain == "LINUX32");
  CHECK(l.personality->flags == std::vector<std::string>{"ADDR_NO_RANDOMIZE"});
  REQUIRE(l.memory_policy);
  CHECK(l.memory_policy->mode == "MPOL_INTERLEAVE");
  CHECK(l.memory_policy->nodes == "0-1,3");
  CHECK(l.memory_policy->flags == std::vector<std::string>{"MPOL_F_STATIC_NODES"});
  REQUIRE(l.net_devices.size() == 2);
  CHECK(l.net_devices.at("eth1").name == "net1");
  CHECK(l.net_devices.at("dummy0").name.empty());
}

TEST_CASE("parse: maximal.json, seccomp") {
  Config c = parse_file("maximal.json");
  REQUIRE(c.linux_);
  REQUIRE(c.linux_->seccomp);
  const Seccomp& s = *c.linux_->seccomp;
  CHECK(s.default_action == "SCMP_ACT_ERRNO");
  CHECK(s.default_errno_ret.value_or(0) == 38);
  CHECK(s.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
  CHECK(s.flags == std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"});
  CHECK(s.listener_path == "/run/seccomp-agent.sock");
  CHECK(s.listener_metadata == "agent-metadata");
  REQUIRE(s.syscalls.size() == 4);
  CHECK(s.syscalls[0].names == std::vector<std::string>{"read", "write", "exit_group"});
  CHECK(s.syscalls[0].action == "SCMP_ACT_ALLOW");
  CHECK_FALSE(s.syscalls[0].errno_ret);
  CHECK(s.syscalls[1].errno_ret.value_or(0) == 1);
  REQUIRE(s.syscalls[2].args.size() == 2);
  CHECK(s.syscalls[2].args[0].index == 0);
  CHECK(s.syscalls[2].args[0].value == 8);
  CHECK(s.syscalls[2].args[0].value_two == 0);
  CHECK(s.syscalls[2].args[0].op == "SCMP_CMP_EQ");
  CHECK(s.syscalls[2].args[1].index == 1);
  CHECK(s.syscalls[2].args[1].value == UINT64_MAX);
  CHECK(s.syscalls[2].args[1].value_two == UINT32_MAX);
  CHECK(s.syscalls[2].args[1].op == "SCMP_CMP_MASKED_EQ");
  CHECK(s.syscalls[3].action == "SCMP_ACT_NOTIFY");
}

TEST_CASE("parse: maximal.json, resources") {
  Config c = parse_file("maximal.json");
  REQUIRE(c.linux_);
  REQUIRE(c.linux_->resources);
  const Resources& r = *c.linux_->resources;
  REQUIRE(r.devices.size() == 3);
  CHECK_FALSE(r.devices[0].allow);
  CHECK(r.devices[1].allow);
  CHECK(r.devices[1].type == "c");
  CHECK(r.devices[1].major.value_or(0) == 10);
  CHECK(r.devices[1].minor.value_or(0) == 229);
  CHECK(r.devices[1].access == "rw");
  CHECK(r.devices[2].major.value_or(0) == -1);
  CHECK_FALSE(r.devices[2].minor);

  REQUIRE(r.memory);
  CHECK(r.memory->limit.value_or(0) == 536870912);
  CHECK(r.memory->reservation.value_or(0) == 268435456);
  CHECK(r.memory->swap.value_or(0) == -1);
  CHECK(r.memory->kernel.value_or(0) == 1048576);
  CHECK(r.memory->kernel_tcp.value_or(0) == 2097152);
  CHECK(r.memory->swappiness.value_or(0) == 60);
  CHECK(r.memory->disable_oom_killer == std::optional<bool>(true));
  CHECK(r.memory->use_hierarchy == std::optional<bool>(false));
  CHECK(r.memory->check_before_update == std::optional<bool>(true));

  REQUIRE(r.cpu);
  CHECK(r.cpu->shares.value_or(0) == 1024);
  CHECK(r.cpu->quota.value_or(0) == -1);
  CHECK(r.cpu->burst.value_or(0) == 5000);
  CHECK(r.cpu->period.value_or(0) == 100000);
  CHECK(r.cpu->realtime_runtime.value_or(0) == 950000);
  CHECK(r.cpu->realtime_period.value_or(0) == 1000000);
  CHECK(r.cpu->cpus == "0-3");
  CHECK(r.cpu->mems == "0");
  CHECK(r.cpu->idle.value_or(0) == 1);

  REQUIRE(r.pids);
  CHECK(r.pids->limit.value_or(0) == 512);

  REQUIRE(r.block_io);
  const BlockIo& b = *r.block_io;
  CHECK(b.weight.value_or(0) == 500);
  CHECK(b.leaf_weight.value_or(0) == 300);
  REQUIRE(b.weight_device.size() == 2);
  CHECK(b.weight_device[0].major == 8);
  CHECK(b.weight_device[0].minor == 0);
  CHECK(b.weight_device[0].weight.value_or(0) == 600);
  CHECK(b.weight_device[0].leaf_weight.value_or(0) == 65535);
  CHECK(b.weight_device[1].minor == 16);
  CHECK_FALSE(b.weight_device[1].weight);
  REQUIRE(b.throttle_read_bps_device.size() == 1);
  CHECK(b.throttle_read_bps_device[0].rate == 1048576);
  REQUIRE(b.throttle_write_bps_device.size() == 1);
  CHECK(b.throttle_write_bps_device[0].rate == 2097152);
  REQUIRE(b.throttle_read_iops_device.size() == 1);
  CHECK(b.throttle_read_iops_device[0].rate == 1000);
  REQUIRE(b.throttle_write_iops_device.size() == 1);
  CHECK(b.throttle_write_iops_device[0].minor == 16);
  CHECK(b.throttle_write_iops_device[0].rate == UINT64_MAX);

  REQUIRE(r.hugepage_limits.size() == 2);
  CHECK(r.hugepage_limits[0].page_size == "2MB");
  CHECK(r.hugepage_limits[0].limit == 209715200);
  CHECK(r.hugepage_limits[1].page_size == "1GB");

  REQUIRE(r.network);
  CHECK(r.network->class_id.value_or(0) == 1048577);
  REQUIRE(r.network->priorities.size() == 2);
  CHECK(r.network->priorities[0].name == "eth0");
  CHECK(r.network->priorities[0].priority == 500);
  CHECK(r.network->priorities[1].name == "lo");
  CHECK(r.network->priorities[1].priority == 1000);

  REQUIRE(r.rdma.size() == 2);
  CHECK(r.rdma.at("mlx5_1").hca_handles.value_or(0) == 3);
  CHECK(r.rdma.at("mlx5_1").hca_objects.value_or(0) == 10000);
  CHECK_FALSE(r.rdma.at("mlx4_0").hca_handles);
  CHECK(r.rdma.at("mlx4_0").hca_objects.value_or(0) == 1000);

  REQUIRE(r.unified.size() == 2);
  CHECK(r.unified.at("memory.high") == "1073741824");
  CHECK(r.unified.at("io.weight") == "default 200");
}

TEST_CASE("parse: a minimal document") {
  Config c = parse_ok(R"({"ociVersion": "1.2.0"})");
  CHECK(c.oci_version == "1.2.0");
  CHECK_FALSE(c.root);
  CHECK_FALSE(c.process);
  CHECK_FALSE(c.linux_);
  CHECK_FALSE(c.hooks);
  CHECK(c.mounts.empty());
}

TEST_CASE("parse: unknown members are ignored at every level") {
  Config c = parse_ok(R"({
    "ociVersion": "1.2.0", "x-top": {"deep": [1, 2, {"a": null}]},
    "windows": {"layerFolders": ["C:\\layers"]}, "vm": {"kernel": {"path": "/k"}},
    "root": {"path": "rootfs", "x-root": true},
    "process": {"cwd": "/", "user": {"uid": 1, "gid": 2, "x-user": "?"}, "x-process": 3,
                "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 2, "x-rlimit": []}]},
    "mounts": [{"destination": "/tmp", "x-mount": {"a": 1}}],
    "hooks": {"x-hooks": [], "poststop": [{"path": "/bin/true", "x-hook": 1}]},
    "linux": {"x-linux": "?", "namespaces": [{"type": "pid", "x-ns": 0}],
              "resources": {"x-res": 1, "memory": {"limit": 1, "x-mem": "?"},
                            "x-unknown-controller": {"max": 1}},
              "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "x-seccomp": [1],
                          "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG",
                                        "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ",
                                                  "x-arg": true}]}]}}
  })");
  REQUIRE(c.root);
  CHECK(c.root->path == "rootfs");
  REQUIRE(c.process);
  CHECK(c.process->user.uid == 1);
  CHECK(c.process->user.gid == 2);
  REQUIRE(c.process->rlimits.size() == 1);
  CHECK(c.process->rlimits[0].hard == 2);
  REQUIRE(c.mounts.size() == 1);
  CHECK(c.mounts[0].destination == "/tmp");
  REQUIRE(c.hooks);
  CHECK(c.hooks->poststop.size() == 1);
  REQUIRE(c.linux_);
  CHECK(c.linux_->namespaces.size() == 1);
  REQUIRE(c.linux_->resources);
  CHECK(c.linux_->resources->memory->limit.value_or(0) == 1);
  REQUIRE(c.linux_->seccomp);
  CHECK(c.linux_->seccomp->syscalls[0].args[0].op == "SCMP_CMP_EQ");
}

TEST_CASE("parse: null optional members count as absent") {
  Config c = parse_ok(R"({"ociVersion": "1.2.0", "hooks": null, "annotations": null,
    "process": {"cwd": "/", "user": {"uid": 0, "gid": 0, "umask": null}, "args": null,
                "oomScoreAdj": null},
    "linux": {"resources": {"memory": {"limit": null, "swap": -1}}, "seccomp": null}})");
  CHECK_FALSE(c.hooks);
  REQUIRE(c.process);
  CHECK_FALSE(c.process->user.umask);
  CHECK(c.process->args.empty());
  CHECK_FALSE(c.process->oom_score_adj);
  REQUIRE(c.linux_);
  CHECK_FALSE(c.linux_->seccomp);
  CHECK_FALSE(c.linux_->resources->memory->limit);
  CHECK(c.linux_->resources->memory->swap.value_or(0) == -1);
}

TEST_CASE("parse: integer limits of each type are accepted") {
  Config c = parse_ok(R"({"ociVersion": "1.2.0",
    "process": {"cwd": "/", "user": {"uid": 4294967295, "gid": 0},
                "oomScoreAdj": -2147483648,
                "scheduler": {"policy": "SCHED_OTHER", "nice": 2147483647}},
    "linux": {"resources": {"blockIO": {"weight": 65535, "leafWeight": 0},
                            "memory": {"limit": -9223372036854775808},
                            "cpu": {"shares": 18446744073709551615}}}})");
  CHECK(c.process->user.uid == UINT32_MAX);
  CHECK(c.process->oom_score_adj.value_or(0) == INT32_MIN);
  CHECK(c.process->scheduler->nice == INT32_MAX);
  CHECK(c.linux_->resources->block_io->weight.value_or(0) == UINT16_MAX);
  CHECK(c.linux_->resources->memory->limit.value_or(0) == INT64_MIN);
  CHECK(c.linux_->resources->cpu->shares.value_or(0) == UINT64_MAX);
}

TEST_CASE("parse: strings keep escapes and UTF-8") {
  Config c = parse_ok(R"({"ociVersion": "1.2.0", "hostname": "h\u00e9\"x\"", "annotations": {"a\/b": "\n\t"}})");
  CHECK(c.hostname == "h\xc3\xa9\"x\"");
  CHECK(c.annotations.at("a/b") == "\n\t");
}

TEST_CASE("parse: a repeated member is refused, not read as its last value") {
  // Go's encoding/json would keep the last one; a checker that keeps the first would see
  // another document than the one that runs. Details: test_parse_hardening.cc.
  ocistart::util::Result<Config> r = parse_config(R"({"ociVersion": "1.0.0", "ociVersion": "1.2.0"})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == R"(/: duplicate key "ociVersion")");
}

TEST_CASE("parse: a process without user runs as uid 0, gid 0 (runc, crun; exec -p files)") {
  ocistart::util::Result<Config> r =
      parse_config(R"({"ociVersion": "1.0.0", "process": {"cwd": "/", "args": ["sh"], "terminal": true}})");
  REQUIRE(r.ok());
  REQUIRE(r->process);
  CHECK(r->process->user.uid == 0);
  CHECK(r->process->user.gid == 0);
  CHECK(r->process->user.additional_gids.empty());
}
