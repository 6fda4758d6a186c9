// cgroups/device_bpf: the device program, run by a tiny interpreter of the instructions
// it uses (and checked for what the verifier rejects: bad jumps, unreachable code).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "cgroups/device_bpf.h"

using namespace ocistart;
using namespace ocistart::cgroups;

namespace {

enum Access : uint32_t { R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD };

// Runs `prog` on a struct bpf_cgroup_dev_ctx; returns r0, or -1 on anything unexpected.
int64_t run(const std::vector<bpf_insn>& prog, char type, uint32_t access, uint32_t major, uint32_t minor) {
  uint32_t ctx[3] = {(access << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR), major, minor};
  uint64_t r[11] = {};
  bool is_ctx[11] = {};
  is_ctx[1] = true;
  size_t pc = 0;
  for (int steps = 0; steps < 10000 && pc < prog.size(); ++steps) {
    const bpf_insn& i = prog[pc++];
    const uint8_t cls = BPF_CLASS(i.code);
    if (i.code == (BPF_LDX | BPF_MEM | BPF_W)) {
      if (!is_ctx[i.src_reg] || i.off < 0 || i.off > 8 || i.off % 4 != 0)
        return -1;
      r[i.dst_reg] = ctx[i.off / 4];
      is_ctx[i.dst_reg] = false;
    } else if (cls == BPF_ALU || cls == BPF_ALU64) {
      uint64_t src = BPF_SRC(i.code) == BPF_X ? r[i.src_reg] : static_cast<uint64_t>(static_cast<int64_t>(i.imm));
      uint64_t& dst = r[i.dst_reg];
      switch (BPF_OP(i.code)) {
        case BPF_MOV:
          dst = src;
          break;
        case BPF_AND:
          dst &= src;
          break;
        case BPF_RSH:
          dst >>= src;
          break;
        default:
          return -1;
      }
      if (cls == BPF_ALU)
        dst &= 0xffffffffu;
      is_ctx[i.dst_reg] = false;
    } else if (i.code == (BPF_JMP | BPF_EXIT)) {
      return static_cast<int64_t>(r[0]);
    } else if (cls == BPF_JMP && BPF_OP(i.code) == BPF_JNE) {
      uint64_t other = BPF_SRC(i.code) == BPF_X ? r[i.src_reg] : static_cast<uint64_t>(static_cast<int64_t>(i.imm));
      if (r[i.dst_reg] != other)
        pc += static_cast<size_t>(i.off);
    } else {
      return -1;
    }
  }
  return -1;
}

// What the verifier would say about control flow: jumps in range, every insn reachable,
// the last insn an exit.
bool well_formed(const std::vector<bpf_insn>& prog) {
  if (prog.empty() || prog.back().code != (BPF_JMP | BPF_EXIT))
    return false;
  std::vector<bool> seen(prog.size()), todo(prog.size());
  std::vector<size_t> stack{0};
  while (!stack.empty()) {
    size_t pc = stack.back();
    stack.pop_back();
    if (pc >= prog.size())
      return false;
    if (seen[pc])
      continue;
    seen[pc] = true;
    const bpf_insn& i = prog[pc];
    if (i.code == (BPF_JMP | BPF_EXIT))
      continue;
    if (BPF_CLASS(i.code) == BPF_JMP) {
      if (i.off < 0)
        return false;
      stack.push_back(pc + 1 + static_cast<size_t>(i.off));
    }
    stack.push_back(pc + 1);
  }
  for (bool s : seen)
    if (!s)
      return false;
  return true;
}

spec::DeviceCgroupRule rule(bool allow, std::string type, std::optional<int64_t> major, std::optional<int64_t> minor,
                            std::string access) {
  return spec::DeviceCgroupRule{allow, std::move(type), major, minor, std::move(access)};
}

std::vector<bpf_insn> build(const std::vector<spec::DeviceCgroupRule>& rules) {
  auto prog = build_device_program(rules);
  REQUIRE_MESSAGE(prog.ok(), (prog.ok() ? "" : prog.error().message));
  CHECK(well_formed(*prog));
  return std::move(*prog);
}

}  // namespace

TEST_CASE("device bpf: no rules deny everything") {
  auto prog = build({});
  CHECK(prog.size() == 8);  // 6 loads/shifts + r0 = 0 + exit
  CHECK(prog[0].code == (BPF_LDX | BPF_MEM | BPF_W));
  CHECK(run(prog, 'c', R, 1, 3) == 0);
  CHECK(run(prog, 'b', M, 8, 0) == 0);
}

TEST_CASE("device bpf: the usual container list") {
  auto prog = build({
      rule(false, "", std::nullopt, std::nullopt, "rwm"),
      rule(true, "c", std::nullopt, std::nullopt, "m"),
      rule(true, "b", std::nullopt, std::nullopt, "m"),
      rule(true, "c", 1, 3, "rwm"),
      rule(true, "c", 1, 5, "rwm"),
      rule(true, "c", 136, std::nullopt, "rwm"),
      rule(true, "c", 5, 2, "rw"),
  });
  CHECK(run(prog, 'c', R, 1, 3) == 1);
  CHECK(run(prog, 'c', W, 1, 5) == 1);
  CHECK(run(prog, 'c', R, 1, 4) == 0);
  CHECK(run(prog, 'c', M, 1, 4) == 1);  // mknod of any char device
  CHECK(run(prog, 'b', M, 8, 0) == 1);
  CHECK(run(prog, 'b', R, 8, 0) == 0);
  CHECK(run(prog, 'c', W, 136, 7) == 1);  // any pty
  CHECK(run(prog, 'c', R, 5, 2) == 1);
  CHECK(run(prog, 'b', R, 1, 3) == 0);  // type matters
}

TEST_CASE("device bpf: the last matching rule wins") {
  auto prog = build({
      rule(true, "c", 1, 3, "rwm"),
      rule(false, "c", 1, 3, "w"),
  });
  CHECK(run(prog, 'c', R, 1, 3) == 1);
  CHECK(run(prog, 'c', W, 1, 3) == 0);
  CHECK(run(prog, 'c', M, 1, 3) == 1);

  auto hole = build({
      rule(true, "c", std::nullopt, std::nullopt, "rwm"),
      rule(false, "c", 1, 3, ""),
  });
  CHECK(run(hole, 'c', R, 1, 3) == 0);
  CHECK(run(hole, 'c', R, 1, 5) == 1);
}

TEST_CASE("device bpf: access is a subset test") {
  auto prog = build({rule(true, "c", 1, 3, "r")});
  CHECK(run(prog, 'c', R, 1, 3) == 1);
  CHECK(run(prog, 'c', W, 1, 3) == 0);
  CHECK(run(prog, 'c', M, 1, 3) == 0);
  CHECK(run(prog, 'c', R | W, 1, 3) == 0);
}

TEST_CASE("device bpf: type a matches everything and ends the program") {
  auto all = build({rule(false, "c", 1, 3, "rwm"), rule(true, "a", 1, 3, "r")});
  // "a" ignores major, minor and access (as v1's "a"); the earlier rule is unreachable.
  CHECK(all.size() == 8);
  CHECK(run(all, 'c', W, 1, 3) == 1);
  CHECK(run(all, 'b', M, 9, 9) == 1);

  auto then_deny = build({rule(true, "", std::nullopt, std::nullopt, ""), rule(false, "c", 1, 3, "rwm")});
  CHECK(run(then_deny, 'c', R, 1, 3) == 0);
  CHECK(run(then_deny, 'c', R, 1, 4) == 1);
  CHECK(run(then_deny, 'b', W, 8, 0) == 1);
}

TEST_CASE("device bpf: bad rules are errors") {
  CHECK_FALSE(build_device_program({rule(true, "x", 1, 3, "r")}).ok());
  CHECK_FALSE(build_device_program({rule(true, "c", 1, 3, "rx")}).ok());
  auto big = build_device_program({rule(true, "c", int64_t{1} << 40, 3, "r")});
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().message == "invalid device major `1099511627776`");
}
