// systemd/journal_reader: --since/--until times and the short/cat/json lines of `logs`.
#include <doctest/doctest.h>
#include <simdjson.h>
#include <stdlib.h>
#include <time.h>

#include <optional>
#include <string>

#include "systemd/journal_reader.h"

using namespace ocistart;
using systemd::format_entry;
using systemd::JournalEntry;
using systemd::OutputFormat;
using systemd::parse_journal_time;

namespace {

// Sets TZ for the test's lifetime, then puts the old value back.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* tz) {
    if (const char* old = ::getenv("TZ"))
      old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (old_)
      ::setenv("TZ", old_->c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

 private:
  std::optional<std::string> old_;
};

constexpr uint64_t kSec = 1000000;
// 2024-03-15 14:30:45.250000 UTC, a Friday.
constexpr uint64_t kNow = 1710513045ULL * kSec + 250000;
constexpr uint64_t kMidnight = 1710460800ULL * kSec;  // 2024-03-15 00:00:00 UTC

uint64_t parsed(const char* text) {
  util::Result<uint64_t> r = parse_journal_time(text, kNow);
  INFO(text << ": " << (r ? std::string() : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

JournalEntry sample() {
  JournalEntry e;
  e.realtime_usec = kNow;
  e.monotonic_usec = 42;
  e.cursor = "s=abc;i=1";
  e.fields = {{"_PID", "1234"},
              {"SYSLOG_IDENTIFIER", "web"},
              {"PRIORITY", "3"},
              {"MESSAGE", "err-line"},
              {"_SYSTEMD_UNIT", "ocistart-web.scope"}};
  return e;
}

}  // namespace

TEST_CASE("journal time: now, today, yesterday, tomorrow") {
  ScopedTimeZone tz("UTC");
  CHECK(parsed("now") == kNow);
  CHECK(parsed("today") == kMidnight);
  CHECK(parsed("yesterday") == kMidnight - 86400 * kSec);
  CHECK(parsed("tomorrow") == kMidnight + 86400 * kSec);
  CHECK(parsed("  now ") == kNow);
}

TEST_CASE("journal time: relative spans") {
  ScopedTimeZone tz("UTC");
  CHECK(parsed("-1h") == kNow - 3600 * kSec);
  CHECK(parsed("-30min") == kNow - 1800 * kSec);
  CHECK(parsed("-10s") == kNow - 10 * kSec);
  CHECK(parsed("-1h30min") == kNow - 5400 * kSec);
  CHECK(parsed("-1h 30min") == kNow - 5400 * kSec);
  CHECK(parsed("-2d") == kNow - 2 * 86400 * kSec);
  CHECK(parsed("-1w") == kNow - 7 * 86400 * kSec);
  CHECK(parsed("-1.5h") == kNow - 5400 * kSec);
  CHECK(parsed("-500ms") == kNow - 500000);
  CHECK(parsed("-90") == kNow - 90 * kSec);  // a bare number is seconds
  CHECK(parsed("+5m") == kNow + 300 * kSec);
  CHECK(parsed("-2 hours") == kNow - 7200 * kSec);
  CHECK(parsed("1h ago") == kNow - 3600 * kSec);
  CHECK(parsed("10min left") == kNow + 600 * kSec);
  CHECK(parsed("-100y") == 0);  // before the epoch: clamped
}

TEST_CASE("journal time: dates and clock times (local time)") {
  ScopedTimeZone tz("UTC");
  CHECK(parsed("2024-03-15") == kMidnight);
  CHECK(parsed("2024-03-15 10:00") == kMidnight + 10 * 3600 * kSec);
  CHECK(parsed("2024-03-15 10:00:30") == kMidnight + (10 * 3600 + 30) * kSec);
  CHECK(parsed("2024-03-15T10:00:30") == kMidnight + (10 * 3600 + 30) * kSec);
  CHECK(parsed("2024-2-29") == kMidnight - 15 * 86400 * kSec);  // a leap day
  CHECK(parsed("08:15") == kMidnight + (8 * 3600 + 15 * 60) * kSec);
  CHECK(parsed("@1710513045") == 1710513045ULL * kSec);
  CHECK(parsed("@1.5") == 1500000);
}

TEST_CASE("journal time: dates follow TZ") {
  ScopedTimeZone tz("UTC-2");  // POSIX sign: two hours east of UTC
  CHECK(parsed("2024-03-15") == kMidnight - 2 * 3600 * kSec);
  CHECK(parsed("today") == kMidnight - 2 * 3600 * kSec);
}

TEST_CASE("journal time: anything else is one clear error") {
  ScopedTimeZone tz("UTC");
  for (const char* bad : {"",
                          "soon",
                          "-",
                          "-1x",
                          "-h",
                          "1h",
                          "2024-13-01",
                          "2024-02-30",
                          "2024-03-15 25:00",
                          "2024-03-15 10:60",
                          "2024-03-15 10",
                          "2024-03-15 10:00:00 junk",
                          "15/03/2024",
                          "@",
                          "@1.",
                          "@x",
                          "ago",
                          " ago",
                          "-1h -",
                          "24:00",
                          "yesterday2"}) {
    INFO("`" << bad << "`");
    util::Result<uint64_t> r = parse_journal_time(bad, kNow);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == EINVAL);
    CHECK(r.error().message.find("invalid time `" + std::string(bad) + "`") == 0);
    CHECK(r.error().message.find('\n') == std::string::npos);
  }
}

TEST_CASE("journal output: format names") {
  CHECK(*systemd::output_format_from_string("short") == OutputFormat::short_line);
  CHECK(*systemd::output_format_from_string("cat") == OutputFormat::cat);
  CHECK(*systemd::output_format_from_string("json") == OutputFormat::json);
  CHECK_FALSE(systemd::output_format_from_string("verbose").ok());
}

TEST_CASE("journal output: short is journalctl's line without the host") {
  ScopedTimeZone tz("UTC");
  CHECK(format_entry(sample(), OutputFormat::short_line) == "Mar 15 14:30:45 web[1234]: err-line\n");
  JournalEntry e = sample();
  e.fields = {{"SYSLOG_IDENTIFIER", "web"}, {"MESSAGE", "no pid"}};
  CHECK(format_entry(e, OutputFormat::short_line) == "Mar 15 14:30:45 web: no pid\n");
  e.fields = {{"_COMM", "sh"}, {"SYSLOG_PID", "7"}, {"MESSAGE", "two\nlines"}};
  CHECK(format_entry(e, OutputFormat::short_line) == "Mar 15 14:30:45 sh[7]: two\n" + std::string(23, ' ') + "lines\n");
  e.realtime_usec = 1704067200ULL * kSec + 5 * kSec;  // 2024-01-01 00:00:05: day padded
  CHECK(format_entry(e, OutputFormat::short_line).substr(0, 15) == "Jan 01 00:00:05");
}

TEST_CASE("journal output: cat is the message only") {
  CHECK(format_entry(sample(), OutputFormat::cat) == "err-line\n");
  JournalEntry empty;
  CHECK(format_entry(empty, OutputFormat::cat) == "\n");
}

TEST_CASE("journal output: json is one object per line with the fields") {
  JournalEntry e = sample();
  e.fields.emplace_back("TAG", "a");
  e.fields.emplace_back("TAG", "b");
  e.fields.emplace_back("BIN", std::string("x\xff\"y", 4));
  std::string line = format_entry(e, OutputFormat::json);
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
  auto text = [&](const char* key) {
    std::string_view v;
    REQUIRE(doc[key].get(v) == simdjson::SUCCESS);
    return std::string(v);
  };
  CHECK(text("MESSAGE") == "err-line");
  CHECK(text("PRIORITY") == "3");
  CHECK(text("_PID") == "1234");
  CHECK(text("SYSLOG_IDENTIFIER") == "web");
  CHECK(text("_SYSTEMD_UNIT") == "ocistart-web.scope");
  CHECK(text("__REALTIME_TIMESTAMP") == std::to_string(kNow));
  CHECK(text("__MONOTONIC_TIMESTAMP") == "42");
  CHECK(text("__CURSOR") == "s=abc;i=1");
  CHECK(text("BIN") == "x\xef\xbf\xbd\"y");  // not UTF-8: U+FFFD, still valid JSON
  simdjson::dom::array tags;
  REQUIRE(doc["TAG"].get(tags) == simdjson::SUCCESS);
  CHECK(tags.size() == 2);
}

TEST_CASE("journal entry: field lookup takes the first value") {
  JournalEntry e = sample();
  e.fields.emplace_back("MESSAGE", "second");
  CHECK(e.field("MESSAGE") == std::optional<std::string_view>("err-line"));
  CHECK_FALSE(e.field("NOPE").has_value());
}
