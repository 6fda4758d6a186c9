#include <doctest/doctest.h>

#include "runtime/device_rules.h"
#include "spec/default_spec.h"

using namespace ocistart;

TEST_CASE("the default spec's deny-all is followed by the devices every container needs") {
  spec::Config c = spec::default_config();
  c.linux_->devices.push_back(spec::Device{"c", "/dev/fuse", 10, 229, {}, {}, {}});
  std::vector<spec::DeviceCgroupRule> rules = runtime::effective_device_rules(c);
  REQUIRE(rules.size() >= 12);
  CHECK_FALSE(rules.front().allow);  // the config's own rule stays first
  auto allowed = [&](const char* type, int64_t major, std::optional<int64_t> minor) {
    for (const auto& r : rules)
      if (r.allow && r.type == type && r.major == major && r.minor == minor && r.access == "rwm")
        return true;
    return false;
  };
  CHECK(allowed("c", 1, 3));           // /dev/null
  CHECK(allowed("c", 5, 2));           // /dev/ptmx
  CHECK(allowed("c", 136, {}));        // /dev/pts/*
  CHECK(allowed("c", 10, 200));        // /dev/net/tun, as runc
  CHECK_FALSE(allowed("c", 10, 229));  // a config's device node: only if its own rules allow it
  CHECK_FALSE(allowed("c", 5, 1));     // the host's console: the container's is a pty
  CHECK(rules.back().major == 136);    // after the config's rules: the last match wins
}

TEST_CASE("no device rules in the config means deny-all and the defaults, as runc") {
  spec::Config c = spec::default_config();
  c.linux_->resources->devices.clear();
  std::vector<spec::DeviceCgroupRule> rules = runtime::effective_device_rules(c);
  REQUIRE(rules.size() == 12);
  CHECK_FALSE(rules.front().allow);
  CHECK(rules.front().type == "a");
  c.linux_->resources.reset();
  CHECK(runtime::effective_device_rules(c).size() == 12);
}
