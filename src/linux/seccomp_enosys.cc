#include "linux/seccomp_enosys.h"

#include <linux/audit.h>

#include <cstddef>
#include <optional>

namespace ocistart::os {
namespace {

// seccomp_data: int nr at offset 0, __u32 arch at offset 4.
constexpr uint32_t kNrOffset = 0;
constexpr uint32_t kArchOffset = 4;
constexpr uint32_t kX32Bit = 0x40000000U;

// The ABIs of one audit arch: x86_64 numbers and x32 numbers (bit 30) share it.
struct ArchGroup {
  uint32_t audit_arch = 0;
  std::optional<uint32_t> last, x32_last;
};

std::vector<ArchGroup> group_by_arch(const std::vector<AbiLastSyscall>& abis) {
  std::vector<ArchGroup> groups;
  for (const AbiLastSyscall& abi : abis) {
    ArchGroup* group = nullptr;
    for (ArchGroup& g : groups)
      if (g.audit_arch == abi.audit_arch)
        group = &g;
    if (group == nullptr)
      group = &groups.emplace_back(ArchGroup{abi.audit_arch, {}, {}});
    std::optional<uint32_t>& slot = abi.x32 ? group->x32_last : group->last;
    if (!slot)
      slot = abi.last;
  }
  return groups;
}

// Emits instructions; jumps to "the filter" (the end of the stub) and to a section are
// BPF_JA, fixed up once every position is known.
class StubWriter {
 public:
  size_t size() const { return code_.size(); }
  void load(uint32_t offset) { emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offset); }
  void jump_if(uint16_t op, uint32_t k, uint8_t jt, uint8_t jf) { emit(BPF_JMP | op | BPF_K, jt, jf, k); }
  void ret_enosys() { emit(BPF_RET | BPF_K, 0, 0, kRetEnosys); }
  void jump_to_filter() {
    to_filter_.push_back(size());
    emit(BPF_JMP | BPF_JA, 0, 0, 0);
  }
  // A BPF_JA whose target is set later with land_here().
  size_t jump_forward() {
    emit(BPF_JMP | BPF_JA, 0, 0, 0);
    return size() - 1;
  }
  void land_here(size_t jump) { code_[jump].k = static_cast<uint32_t>(size() - jump - 1); }
  // "number > last: ENOSYS; else the filter" (3 instructions); with no `last`, straight
  // to the filter (1 instruction).
  void above_last_block(std::optional<uint32_t> last) {
    if (last) {
      jump_if(BPF_JGT, *last, 0, 1);
      ret_enosys();
    }
    jump_to_filter();
  }
  static size_t above_last_block_size(std::optional<uint32_t> last) { return last ? 3 : 1; }

  std::vector<sock_filter> finish() && {
    for (size_t at : to_filter_)
      code_[at].k = static_cast<uint32_t>(size() - at - 1);
    return std::move(code_);
  }

 private:
  void emit(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) { code_.push_back(sock_filter{code, jt, jf, k}); }
  std::vector<sock_filter> code_;
  std::vector<size_t> to_filter_;
};

void write_section(StubWriter& w, const ArchGroup& g) {
  w.load(kNrOffset);
  if (g.audit_arch == AUDIT_ARCH_X86_64) {
    // Bit 30 set: an x32 call, compared with the x32 numbers; otherwise x86_64.
    w.jump_if(BPF_JSET, kX32Bit, 0, static_cast<uint8_t>(StubWriter::above_last_block_size(g.x32_last)));
    w.above_last_block(g.x32_last);
    w.above_last_block(g.last);
    return;
  }
  if (g.audit_arch == AUDIT_ARCH_S390 || g.audit_arch == AUDIT_ARCH_S390X) {
    // Numbers the kernel does not know arrive as 0 (setup(2), long gone): ENOSYS too.
    w.jump_if(BPF_JEQ, 0, 0, 1);
    w.ret_enosys();
  }
  w.above_last_block(g.last ? g.last : g.x32_last);
}

}  // namespace

std::vector<sock_filter> enosys_stub(const std::vector<AbiLastSyscall>& abis) {
  std::vector<ArchGroup> groups = group_by_arch(abis);
  if (groups.empty())
    return {};
  StubWriter w;
  w.load(kArchOffset);
  std::vector<size_t> to_section;
  for (const ArchGroup& g : groups) {
    w.jump_if(BPF_JEQ, g.audit_arch, 0, 1);
    to_section.push_back(w.jump_forward());
  }
  w.jump_to_filter();  // an architecture the profile does not name
  for (size_t i = 0; i < groups.size(); ++i) {
    w.land_here(to_section[i]);
    write_section(w, groups[i]);
  }
  return std::move(w).finish();
}

}  // namespace ocistart::os
