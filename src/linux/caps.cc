#include "linux/caps.h"

#include <fcntl.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

#include "spec/names.h"
#include "util/unique_fd.h"

namespace ocistart::os {
namespace {

constexpr int kMaxCapBits = 64;

constexpr uint64_t bit(int cap) { return uint64_t{1} << cap; }

std::string capability_name(int cap) {
  const std::vector<std::string_view>& names = spec::capability_names();
  if (cap >= 0 && static_cast<size_t>(cap) < names.size() && !names[cap].empty())
    return std::string(names[cap]);
  return std::to_string(cap);
}

util::Result<uint64_t> mask_of(const std::vector<std::string>& names, int last_cap, std::vector<std::string>& skipped) {
  uint64_t mask = 0;
  for (const std::string& name : names) {
    std::optional<int> cap = spec::capability_from_name(name);
    if (!cap || *cap < 0 || *cap >= kMaxCapBits)
      return util::make_error("unknown capability `" + name + "`", EINVAL);
    if (*cap > last_cap) {
      bool seen = false;
      for (const std::string& s : skipped)
        seen = seen || s == name;
      if (!seen)
        skipped.push_back(name);
      continue;
    }
    mask |= bit(*cap);
  }
  return mask;
}

using CapPtr = std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)>;

CapPtr make_caps(cap_t caps) { return CapPtr(caps, &cap_free); }

// The permitted set the calling thread holds now, to explain an EPERM.
uint64_t current_permitted(int last_cap) {
  CapPtr caps = make_caps(cap_get_proc());
  if (!caps)
    return ~uint64_t{0};
  uint64_t mask = 0;
  for (int cap = 0; cap <= last_cap; ++cap) {
    cap_flag_value_t value = CAP_CLEAR;
    if (cap_get_flag(caps.get(), static_cast<cap_value_t>(cap), CAP_PERMITTED, &value) == 0 && value == CAP_SET)
      mask |= bit(cap);
  }
  return mask;
}

// The error of a failed capset, with what explains an EPERM appended.
util::Error capset_error(const CapabilitySets& sets, int last_cap, util::Error error) {
  error = std::move(error).wrap("set capabilities");
  if (error.code != EPERM)
    return error;
  if ((sets.effective & ~sets.permitted) != 0) {
    error.message +=
        " (effective capabilities not in the permitted set: " + capability_list(sets.effective & ~sets.permitted) + ")";
    return error;
  }
  uint64_t missing = (sets.permitted | sets.inheritable) & ~current_permitted(last_cap);
  if (missing != 0)
    error.message += " (the runtime does not hold " + capability_list(missing) + ")";
  return error;
}

}  // namespace

util::Result<CapabilitySets> compute_capability_sets(const spec::Capabilities& caps, int last_cap) {
  CapabilitySets sets;
  struct Field {
    const std::vector<std::string>* names;
    uint64_t* mask;
  };
  const Field fields[] = {
      {&caps.bounding, &sets.bounding},       {&caps.effective, &sets.effective}, {&caps.permitted, &sets.permitted},
      {&caps.inheritable, &sets.inheritable}, {&caps.ambient, &sets.ambient},
  };
  for (const Field& field : fields) {
    util::Result<uint64_t> mask = mask_of(*field.names, last_cap, sets.skipped);
    if (!mask)
      return std::move(mask).error();
    *field.mask = *mask;
  }
  return sets;
}

util::Status check_capabilities_held(const spec::Capabilities& caps) {
  const int last_cap = kernel_last_cap();
  util::Result<CapabilitySets> sets = compute_capability_sets(caps, last_cap);
  if (!sets)
    return std::move(sets).error();
  const uint64_t wanted = sets->bounding | sets->effective | sets->permitted | sets->inheritable | sets->ambient;
  uint64_t missing = 0;
  for (int cap = 0; cap <= last_cap; ++cap)
    if ((wanted & bit(cap)) != 0 && ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
      missing |= bit(cap);
  if (missing == 0)
    return {};
  const bool one = (missing & (missing - 1)) == 0;
  return util::make_error("process.capabilities: " + capability_list(missing) + (one ? " is" : " are") +
                              " not in the runtime's bounding set",
                          EPERM);
}

std::string capability_list(uint64_t mask) {
  std::string text;
  for (int cap = 0; cap < kMaxCapBits; ++cap) {
    if ((mask & bit(cap)) == 0)
      continue;
    if (!text.empty())
      text += ", ";
    text += capability_name(cap);
  }
  return text;
}

int kernel_last_cap() {
  // Asked of the kernel, never read from /proc/sys/kernel/cap_last_cap: exec's child sees
  // the container's /proc, where a smaller number would leave the capabilities above it
  // in the bounding set. PR_CAPBSET_READ fails with EINVAL for a number the kernel does
  // not know; the known ones are 0 up to the last: a binary search (6 calls, not 41).
  int known = 0;  // CAP_CHOWN: every kernel has it
  int unknown = kMaxCapBits;
  while (unknown - known > 1) {
    const int mid = known + (unknown - known) / 2;
    if (::prctl(PR_CAPBSET_READ, mid, 0, 0, 0) >= 0)
      known = mid;
    else
      unknown = mid;
  }
  return known;
}

util::Status drop_bounding_set(Syscalls& sys, const CapabilitySets& sets, int last_cap) {
  for (int cap = 0; cap <= last_cap; ++cap) {
    if ((sets.bounding & bit(cap)) != 0)
      continue;
    // Already out of the bounding set: nothing to do (and no CAP_SETPCAP needed).
    if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0)
      continue;
    util::Status s = sys.prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(cap), 0);
    if (s || s.error().code == EINVAL)
      continue;
    return std::move(s).error().wrap("drop `" + capability_name(cap) + "` from the bounding set");
  }
  return {};
}

util::Status apply_capability_sets(Syscalls& sys, const CapabilitySets& sets, int last_cap) {
  if (util::Status s = sys.capset(sets.effective, sets.permitted, sets.inheritable); !s)
    return capset_error(sets, last_cap, std::move(s).error());

  // The ambient set starts from what the runtime inherited; clear it so only the config's
  // caps are there. EINVAL: a kernel without ambient capabilities (< 4.3).
  if (util::Status s = sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0); !s) {
    if (s.error().code != EINVAL || sets.ambient != 0)
      return std::move(s).error().wrap("clear the ambient capabilities");
    return {};
  }
  // The kernel raises an ambient capability only when it is also permitted and inheritable.
  // runc's own default spec lists ambient caps without inheritable ones and runc drops them
  // without a word; the OCI spec says caps that cannot be granted should not fail the
  // container. So only the grantable ones are raised.
  const uint64_t grantable = sets.ambient & sets.permitted & sets.inheritable;
  for (int cap = 0; cap <= last_cap; ++cap) {
    if ((grantable & bit(cap)) == 0)
      continue;
    util::Status s = sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, static_cast<unsigned long>(cap));
    if (!s) {
      util::Error error = std::move(s).error().wrap("raise ambient capability `" + capability_name(cap) + "`");
      if (error.code == EPERM)
        error.message += " (an ambient capability must also be permitted and inheritable)";
      return error;
    }
  }
  return {};
}

}  // namespace ocistart::os
