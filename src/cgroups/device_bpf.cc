// The pure half of device_bpf.h: rules -> instructions. The bpf(2) calls live in
// device_bpf_attach.cc.
#include "cgroups/device_bpf.h"

#include <cstdint>
#include <limits>
#include <string>

namespace ocistart::cgroups {

namespace {

// Registers as the program uses them (the prologue fills r2..r5 from the context in r1).
constexpr uint8_t kR0 = BPF_REG_0, kR1 = BPF_REG_1, kR2 = BPF_REG_2, kR3 = BPF_REG_3, kR4 = BPF_REG_4, kR5 = BPF_REG_5;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

bpf_insn load_u32(uint8_t dst, uint8_t src, int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0); }
bpf_insn and32_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm); }
bpf_insn rsh32_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm); }
bpf_insn mov32_reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn mov64_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
bpf_insn jne_imm(uint8_t dst, int32_t imm, int16_t off) { return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm); }
bpf_insn jne_reg(uint8_t dst, uint8_t src, int16_t off) { return insn(BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

util::Result<int32_t> device_number(const std::optional<int64_t>& n, const char* what) {
  if (!n || *n < 0)
    return int32_t{-1};  // absent (or -1, the "*" of some configs): any
  if (*n > std::numeric_limits<int32_t>::max())
    return util::make_error(std::string("invalid device ") + what + " `" + std::to_string(*n) + "`", EINVAL);
  return static_cast<int32_t>(*n);
}

}  // namespace

util::Result<std::vector<bpf_insn>> build_device_program(const std::vector<spec::DeviceCgroupRule>& rules) {
  std::vector<bpf_insn> prog;
  // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }:
  // access_type = (access << 16) | type.
  prog.push_back(load_u32(kR2, kR1, 0));
  prog.push_back(and32_imm(kR2, 0xffff));
  prog.push_back(load_u32(kR3, kR1, 0));
  prog.push_back(rsh32_imm(kR3, 16));
  prog.push_back(load_u32(kR4, kR1, 4));
  prog.push_back(load_u32(kR5, kR1, 8));

  // Last rule first: the first block that matches returns, so the last matching rule wins.
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    const spec::DeviceCgroupRule& rule = *it;
    const int32_t verdict = rule.allow ? 1 : 0;
    if (rule.type.empty() || rule.type == "a") {
      // Matches everything: the blocks after it (earlier rules) would be unreachable, and
      // the verifier rejects unreachable code.
      prog.push_back(mov64_imm(kR0, verdict));
      prog.push_back(exit_insn());
      return prog;
    }
    int32_t type = 0;
    if (rule.type == "c")
      type = BPF_DEVCG_DEV_CHAR;
    else if (rule.type == "b")
      type = BPF_DEVCG_DEV_BLOCK;
    else
      return util::make_error("invalid device type `" + rule.type + "`", EINVAL);
    int32_t access = 0;
    for (char c : rule.access) {
      if (c == 'r')
        access |= BPF_DEVCG_ACC_READ;
      else if (c == 'w')
        access |= BPF_DEVCG_ACC_WRITE;
      else if (c == 'm')
        access |= BPF_DEVCG_ACC_MKNOD;
      else
        return util::make_error("invalid device access `" + rule.access + "`", EINVAL);
    }
    constexpr int32_t kAll = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
    if (access == 0)
      access = kAll;  // empty access means rwm
    auto major = device_number(rule.major, "major");
    if (!major)
      return std::move(major).error();
    auto minor = device_number(rule.minor, "minor");
    if (!minor)
      return std::move(minor).error();

    // Each test jumps over the rest of the block (to the next rule) when it fails.
    std::vector<bpf_insn> block;
    std::vector<size_t> jumps;  // indexes in `block` whose offset is patched below
    jumps.push_back(block.size());
    block.push_back(jne_imm(kR2, type, 0));
    if (access != kAll) {
      // (request & rule) != request: the request asks for something the rule lacks.
      block.push_back(mov32_reg(kR1, kR3));
      block.push_back(and32_imm(kR1, access));
      jumps.push_back(block.size());
      block.push_back(jne_reg(kR1, kR3, 0));
    }
    if (*major >= 0) {
      jumps.push_back(block.size());
      block.push_back(jne_imm(kR4, *major, 0));
    }
    if (*minor >= 0) {
      jumps.push_back(block.size());
      block.push_back(jne_imm(kR5, *minor, 0));
    }
    block.push_back(mov64_imm(kR0, verdict));
    block.push_back(exit_insn());
    for (size_t j : jumps)
      block[j].off = static_cast<int16_t>(block.size() - j - 1);
    prog.insert(prog.end(), block.begin(), block.end());
  }
  // No rule matched: the implicit deny-all the rules start from.
  prog.push_back(mov64_imm(kR0, 0));
  prog.push_back(exit_insn());
  return prog;
}

}  // namespace ocistart::cgroups
