// util/log: records in the --log file, in runc's (logrus's) text and JSON layouts.
#include <doctest/doctest.h>
#include <simdjson.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/log.h"

using namespace ocistart::util;

namespace {

// A temp file path, removed at scope exit; the log is reset to stderr only.
struct TempLog {
  std::string path;
  TempLog() {
    char tmpl[] = "/tmp/ocistart-test-log-XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    path = tmpl;
  }
  ~TempLog() {
    log_setup({});
    unlink(path.c_str());
  }
  std::vector<std::string> lines() const {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
      out.push_back(line);
    return out;
  }
};

}  // namespace

TEST_CASE("log --log-format json writes one parseable object a line") {
  TempLog file;
  log_setup({file.path, true, false});
  log_warning("first \"quoted\" warning");
  log_debug("not written without --debug");
  log(LogLevel::info, "multi\nline");

  std::vector<std::string> lines = file.lines();
  REQUIRE(lines.size() == 2);
  simdjson::dom::parser parser;
  std::vector<std::pair<std::string, std::string>> want{{"warning", "first \"quoted\" warning"},
                                                        {"info", "multi\nline"}};
  for (size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(lines[i]);
    simdjson::dom::element doc;
    REQUIRE(parser.parse(simdjson::padded_string(lines[i])).get(doc) == simdjson::SUCCESS);
    std::string_view level, msg, time;
    REQUIRE(doc["level"].get(level) == simdjson::SUCCESS);
    REQUIRE(doc["msg"].get(msg) == simdjson::SUCCESS);
    REQUIRE(doc["time"].get(time) == simdjson::SUCCESS);
    CHECK(level == want[i].first);
    CHECK(msg == want[i].second);
    // RFC 3339: 2024-01-02T03:04:05Z or with a +hh:mm offset.
    CHECK(time.size() >= 20);
    CHECK(time[4] == '-');
    CHECK(time[10] == 'T');
    CHECK(time[13] == ':');
  }
  CHECK(lines[0].rfind("{\"level\":\"warning\",\"msg\":", 0) == 0);
}

TEST_CASE("log --debug lets debug records through") {
  TempLog file;
  log_setup({file.path, true, true});
  log_debug("now written");
  std::vector<std::string> lines = file.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("\"level\":\"debug\"") != std::string::npos);
}

TEST_CASE("log text format is logfmt like logrus") {
  TempLog file;
  log_setup({file.path, false, false});
  log_warning("a \"b\" c");
  std::vector<std::string> lines = file.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("time=\"", 0) == 0);
  CHECK(lines[0].find("\" level=warning msg=\"a \\\"b\\\" c\"") != std::string::npos);
}

TEST_CASE("log appends to an existing file") {
  TempLog file;
  {
    std::ofstream out(file.path);
    out << "earlier\n";
  }
  log_setup({file.path, true, false});
  log_warning("later");
  std::vector<std::string> lines = file.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "earlier");
}
