// spec/resource_values: the OCI -> kernel/systemd value conversions both cgroup drivers use.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>

#include "spec/resource_values.h"

using namespace ocistart;
using namespace ocistart::spec;

namespace {

constexpr int64_t kG = 1024 * 1024 * 1024;

}  // namespace

TEST_CASE("resource values: cpu shares to weight match runc and crun") {
  CHECK(cpu_shares_to_weight(0) == 0);
  CHECK(cpu_shares_to_weight(1) == 1);
  CHECK(cpu_shares_to_weight(2) == 1);
  CHECK(cpu_shares_to_weight(512) == 59);
  CHECK(cpu_shares_to_weight(1024) == 100);
  CHECK(cpu_shares_to_weight(2048) == 174);
  CHECK(cpu_shares_to_weight(262144) == 10000);
  CHECK(cpu_shares_to_weight(1000000) == 10000);
}

TEST_CASE("resource values: blkio weight to io weight, linearly") {
  CHECK(blkio_weight_to_io_weight(0) == 0);
  CHECK(blkio_weight_to_io_weight(10) == 1);
  CHECK(blkio_weight_to_io_weight(100) == 910);
  CHECK(blkio_weight_to_io_weight(500) == 4950);
  CHECK(blkio_weight_to_io_weight(1000) == 10000);
}

TEST_CASE("resource values: v2 swap is memory+swap minus the limit") {
  CHECK(*memory_swap_to_v2(2 * kG, kG) == std::optional<int64_t>(kG));
  CHECK(*memory_swap_to_v2(kG, kG) == std::optional<int64_t>(0));
  CHECK(*memory_swap_to_v2(-1, kG) == std::optional<int64_t>(-1));
  CHECK(*memory_swap_to_v2(std::nullopt, -1) == std::optional<int64_t>(-1));
  CHECK(*memory_swap_to_v2(std::nullopt, kG) == std::nullopt);
  CHECK(*memory_swap_to_v2(2 * kG, -1) == std::optional<int64_t>(2 * kG));
  CHECK_FALSE(memory_swap_to_v2(kG, std::nullopt).ok());
  CHECK_FALSE(memory_swap_to_v2(kG, 2 * kG).ok());
}

TEST_CASE("resource values: pids limit and memory sizes, negative is unlimited") {
  CHECK(pids_max(32) == 32);
  CHECK(pids_max(-2) == kUnlimited);
  CHECK(pids_max(-1) == kUnlimited);
  CHECK(memory_size_value(kG) == uint64_t{kG});
  CHECK(memory_size_value(0) == 0);
  CHECK(memory_size_value(-1) == kUnlimited);
  CHECK(kUnlimited == UINT64_MAX);  // systemd's "infinity"
}

TEST_CASE("resource values: systemd CPU quota rounds up to whole percent") {
  // 50% stays; 12.345% becomes 13%.
  CHECK(cpu_quota_per_sec_usec(50000, 100000) == 500000);
  CHECK(cpu_quota_per_sec_usec(12345, 100000) == 130000);
  CHECK(cpu_quota_per_sec_usec(12345, 0) == 130000);
  CHECK(cpu_quota_per_sec_usec(-1, 100000) == UINT64_MAX);
}

TEST_CASE("resource values: an empty device access is rwm") {
  CHECK(device_access("") == "rwm");
  CHECK(device_access("r") == "r");
  CHECK(device_access("rw") == "rw");
}
