#include "spec/resource_values.h"

#include <cerrno>
#include <cmath>

namespace ocistart::spec {

uint64_t cpu_shares_to_weight(uint64_t shares) noexcept {
  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  // A quadratic in log2(shares) through (2, 1), (1024, 100) and (262144, 10000).
  double l = std::log2(static_cast<double>(shares));
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  auto weight = static_cast<uint64_t>(std::ceil(std::pow(10.0, exponent)));
  return weight < 1 ? 1 : (weight > 10000 ? 10000 : weight);
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) noexcept {
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  return 1 + (weight - 10) * 9999 / 990;
}

util::Result<std::optional<int64_t>> memory_swap_to_v2(std::optional<int64_t> swap, std::optional<int64_t> limit) {
  const int64_t s = swap.value_or(0);
  const int64_t l = limit.value_or(0);
  if (l == -1 && s == 0)
    return std::optional<int64_t>(-1);  // unlimited memory and no swap value: swap unlimited too
  if (s == 0)
    return std::optional<int64_t>();  // unset
  if (s < 0 || l == -1)
    return std::optional<int64_t>(s < 0 ? -1 : s);
  if (l <= 0)
    return util::make_error("cannot set a swap limit without a memory limit", EINVAL);
  if (s < l)
    return util::make_error(
        "memory+swap limit `" + std::to_string(s) + "` is below the memory limit `" + std::to_string(l) + "`", EINVAL);
  return std::optional<int64_t>(s - l);
}

uint64_t memory_size_value(int64_t bytes) noexcept { return bytes < 0 ? kUnlimited : static_cast<uint64_t>(bytes); }

uint64_t pids_max(int64_t limit) noexcept { return limit < 0 ? kUnlimited : static_cast<uint64_t>(limit); }

uint64_t cpu_quota_per_sec_usec(int64_t quota, uint64_t period) noexcept {
  if (quota <= 0)
    return kUnlimited;
  if (period == 0)
    period = kDefaultCfsPeriodUs;
  uint64_t per_sec = static_cast<uint64_t>(quota) * 1000000 / period;
  if (per_sec % 10000 != 0)
    per_sec = (per_sec / 10000 + 1) * 10000;
  return per_sec;
}

std::string device_access(std::string_view access) { return access.empty() ? std::string("rwm") : std::string(access); }

}  // namespace ocistart::spec
