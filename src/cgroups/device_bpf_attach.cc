// The bpf(2) half of device_bpf.h: load, attach, detach the previous programs.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "cgroups/device_bpf.h"
#include "util/unique_fd.h"

namespace ocistart::cgroups {

namespace {

// The kernel only checks that the string is there; GPL-only helpers are not used.
constexpr char kLicense[] = "Apache";

long sys_bpf(int cmd, bpf_attr* attr) { return syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

uint64_t ptr(const void* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

// BPF_PROG_LOAD; on a verifier rejection, loads again with a log to say why.
util::Result<util::UniqueFd> load(const std::vector<bpf_insn>& program) {
  auto attempt = [&](char* log, uint32_t log_size) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = ptr(program.data());
    attr.insn_cnt = static_cast<uint32_t>(program.size());
    attr.license = ptr(kLicense);
    if (log != nullptr) {
      attr.log_buf = ptr(log);
      attr.log_size = log_size;
      attr.log_level = 1;
    }
    // Program fds are created close-on-exec by the kernel.
    return static_cast<int>(sys_bpf(BPF_PROG_LOAD, &attr));
  };
  int fd = attempt(nullptr, 0);
  if (fd >= 0)
    return util::UniqueFd(fd);
  const int err = errno;
  if (err != EACCES && err != EINVAL)
    return util::errno_error("bpf `BPF_PROG_LOAD` (device program)", err);
  std::string log(65536, '\0');
  int again = attempt(log.data(), static_cast<uint32_t>(log.size()));
  if (again >= 0)
    return util::UniqueFd(again);  // a transient failure: fine now
  log.resize(std::strlen(log.c_str()));
  while (!log.empty() && (log.back() == '\n' || log.back() == ' '))
    log.pop_back();
  util::Error e = util::errno_error("bpf `BPF_PROG_LOAD` (device program)", err);
  if (!log.empty())
    e.message += ": verifier: " + log;
  return e;
}

// The ids of the device programs attached to the cgroup itself (not inherited ones).
util::Result<std::vector<uint32_t>> attached_programs(int cgroup_dirfd) {
  for (uint32_t capacity = 64; capacity <= 4096; capacity *= 2) {
    std::vector<uint32_t> ids(capacity);
    bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = static_cast<uint32_t>(cgroup_dirfd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = ptr(ids.data());
    attr.query.prog_cnt = capacity;
    if (sys_bpf(BPF_PROG_QUERY, &attr) == 0) {
      ids.resize(attr.query.prog_cnt);
      return ids;
    }
    if (errno != ENOSPC)
      return util::errno_error("bpf `BPF_PROG_QUERY`");
  }
  return util::errno_error("bpf `BPF_PROG_QUERY`", ENOSPC);
}

util::Status detach(int cgroup_dirfd, uint32_t id) {
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.prog_id = id;
  util::UniqueFd prog(static_cast<int>(sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr)));
  if (!prog)
    return errno == ENOENT ? util::Status() : util::errno_error("bpf `BPF_PROG_GET_FD_BY_ID`");
  std::memset(&attr, 0, sizeof(attr));
  attr.target_fd = static_cast<uint32_t>(cgroup_dirfd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf(BPF_PROG_DETACH, &attr) != 0 && errno != ENOENT)
    return util::errno_error("bpf `BPF_PROG_DETACH`");
  return {};
}

}  // namespace

util::Status attach_device_program(int cgroup_dirfd, const std::vector<bpf_insn>& program) {
  auto prog = load(program);
  if (!prog)
    return std::move(prog).error();
  auto old = attached_programs(cgroup_dirfd);
  if (!old)
    return std::move(old).error();
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.target_fd = static_cast<uint32_t>(cgroup_dirfd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog->get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf(BPF_PROG_ATTACH, &attr) != 0)
    return util::errno_error("bpf `BPF_PROG_ATTACH` (device program)");
  // The cgroup holds a reference now; our fd can go. Then drop the programs it replaces.
  for (uint32_t id : *old)
    if (auto st = detach(cgroup_dirfd, id); !st)
      return st;
  return {};
}

}  // namespace ocistart::cgroups
