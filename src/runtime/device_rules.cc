#include "runtime/device_rules.h"

namespace ocistart::runtime {
namespace {

spec::DeviceCgroupRule allow(const char* type, std::optional<int64_t> major, std::optional<int64_t> minor,
                             const char* access) {
  return spec::DeviceCgroupRule{true, type, major, minor, access};
}

}  // namespace

std::vector<spec::DeviceCgroupRule> effective_device_rules(const spec::Config& config) {
  if (!config.linux_ || !config.linux_->resources || config.linux_->resources->devices.empty())
    return {};
  std::vector<spec::DeviceCgroupRule> rules = config.linux_->resources->devices;
  const std::vector<spec::DeviceCgroupRule> kDefaults{
      allow("c", std::nullopt, std::nullopt, "m"),  // mknod of any char device
      allow("b", std::nullopt, std::nullopt, "m"),  // and of any block device
      allow("c", 1, 3, "rwm"),                      // /dev/null
      allow("c", 1, 5, "rwm"),                      // /dev/zero
      allow("c", 1, 7, "rwm"),                      // /dev/full
      allow("c", 1, 8, "rwm"),                      // /dev/random
      allow("c", 1, 9, "rwm"),                      // /dev/urandom
      allow("c", 5, 0, "rwm"),                      // /dev/tty
      allow("c", 5, 1, "rwm"),                      // /dev/console
      allow("c", 5, 2, "rwm"),                      // /dev/ptmx
      allow("c", 136, std::nullopt, "rwm"),         // /dev/pts/*
  };
  rules.insert(rules.end(), kDefaults.begin(), kDefaults.end());
  for (const spec::Device& d : config.linux_->devices)
    if (d.type == "c" || d.type == "u" || d.type == "b")
      rules.push_back(allow(d.type == "b" ? "b" : "c", d.major, d.minor, "rwm"));
  return rules;
}

}  // namespace ocistart::runtime
