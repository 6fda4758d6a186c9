// A temporary directory for one test case: made under /tmp, removed with all it holds.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "util/fs.h"
#include "util/unique_fd.h"

namespace ocistart::testing {

struct TempDir {
  std::string path;

  TempDir() {
    char tmpl[] = "/tmp/ocistart-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { (void)util::remove_tree(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The directory, O_DIRECTORY.
  [[nodiscard]] util::UniqueFd open() const {
    return util::UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  /// Writes `text` to `rel` (its parent directories made) with `mode`, whatever the umask.
  void write(const std::string& rel, const std::string& text, mode_t mode = 0644) const {
    std::filesystem::create_directories(std::filesystem::path(path + "/" + rel).parent_path());
    util::UniqueFd fd(::open((path + "/" + rel).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    REQUIRE(fd);
    REQUIRE(::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    REQUIRE(::fchmod(fd.get(), mode) == 0);
  }
};

}  // namespace ocistart::testing
