// Time spans as systemd writes them ("1h 30min", "10s", "1.5d", "100ms", "90" for
// seconds): -p *Sec= values and logs --since/--until offsets share this one parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ocistart::systemd {

/// The span in microseconds; nullopt when `text` is not one (an unknown unit, no number,
/// 1e18 µs or more). Units: us usec µs, ms msec, s sec second(s), m min mins minute(s),
/// h hr hour(s), d day(s), w week(s), M month(s), y year(s); a bare number is seconds.
[[nodiscard]] std::optional<uint64_t> parse_timespan_usec(std::string_view text);

/// `usec` as systemctl show writes a *USec property (format_timespan at 1 µs accuracy):
/// "500ms", "1.500000s", "1min 30.100000s", "1h", "0"; UINT64_MAX is "infinity".
[[nodiscard]] std::string format_timespan_usec(uint64_t usec);

/// A span as systemd prints it to the millisecond (format_timespan with USEC_PER_MSEC):
/// "2min 3.456s", "1.500s", "15ms", "1h 2min", "0" for nothing.
[[nodiscard]] std::string format_timespan_ms(uint64_t usec);

}  // namespace ocistart::systemd
