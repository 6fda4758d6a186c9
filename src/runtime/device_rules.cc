#include "runtime/device_rules.h"

namespace ocistart::runtime {
namespace {

spec::DeviceCgroupRule allow(const char* type, std::optional<int64_t> major, std::optional<int64_t> minor,
                             const char* access) {
  return spec::DeviceCgroupRule{true, type, major, minor, access};
}

}  // namespace

std::vector<spec::DeviceCgroupRule> effective_device_rules(const spec::Config& config) {
  std::vector<spec::DeviceCgroupRule> rules;
  if (config.linux_ && config.linux_->resources)
    rules = config.linux_->resources->devices;
  // runc's list. Applied after a config's own rules, or alone (then the cgroup starts from
  // deny-all, so a config without rules gets these and nothing more: a missing field never
  // grants more). linux.devices entries get no rule of their own: a node the config
  // creates is usable only if its rules allow it (runc's dev.bats "device cgroup deny").
  // Not the host's console (c 5:1), which runc dropped from its list in 2020: a container's
  // /dev/console is a pty (c 136:*), and with CAP_MKNOD a node of 5:1 would reach the host's.
  const std::vector<spec::DeviceCgroupRule> kDefaults{
      allow("c", std::nullopt, std::nullopt, "m"),  // mknod of any char device
      allow("b", std::nullopt, std::nullopt, "m"),  // and of any block device
      allow("c", 1, 3, "rwm"),                      // /dev/null
      allow("c", 1, 5, "rwm"),                      // /dev/zero
      allow("c", 1, 7, "rwm"),                      // /dev/full
      allow("c", 1, 8, "rwm"),                      // /dev/random
      allow("c", 1, 9, "rwm"),                      // /dev/urandom
      allow("c", 5, 0, "rwm"),                      // /dev/tty
      allow("c", 5, 2, "rwm"),                      // /dev/ptmx
      allow("c", 10, 200, "rwm"),                   // /dev/net/tun
      allow("c", 136, std::nullopt, "rwm"),         // /dev/pts/*
  };
  if (rules.empty())
    rules.push_back(spec::DeviceCgroupRule{false, "a", std::nullopt, std::nullopt, "rwm"});
  rules.insert(rules.end(), kDefaults.begin(), kDefaults.end());
  return rules;
}

}  // namespace ocistart::runtime
