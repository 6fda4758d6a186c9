// linux/copy_tree: runc's tmpcopyup copy, on temp dirs (no root needed).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "linux/copy_tree.h"
#include "util/fs.h"
#include "util/unique_fd.h"
#include "temp_dir.h"

using ocistart::util::UniqueFd;

namespace {

using ocistart::testing::TempDir;

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode;
}

}  // namespace

TEST_CASE("copy_tree copies files, directories, symlinks and fifos with their modes") {
  TempDir from, to;
  REQUIRE(ocistart::util::write_file_atomic(from.path + "/file", "content", 0644).ok());
  REQUIRE(::chmod((from.path + "/file").c_str(), 0640) == 0);
  REQUIRE(::mkdir((from.path + "/dir").c_str(), 0750) == 0);
  REQUIRE(ocistart::util::write_file_atomic(from.path + "/dir/inner", "deep", 0644).ok());
  REQUIRE(::symlink("/etc/passwd", (from.path + "/link").c_str()) == 0);
  REQUIRE(::mkfifo((from.path + "/dir/fifo").c_str(), 0600) == 0);
  UniqueFd a = from.open(), b = to.open();
  REQUIRE(ocistart::os::copy_tree(a.get(), b.get()).ok());

  CHECK(*ocistart::util::read_file(to.path + "/file") == "content");
  CHECK((mode_of(to.path + "/file") & 07777) == 0640);
  CHECK(S_ISDIR(mode_of(to.path + "/dir")));
  CHECK((mode_of(to.path + "/dir") & 07777) == 0750);
  CHECK(*ocistart::util::read_file(to.path + "/dir/inner") == "deep");
  CHECK(S_ISFIFO(mode_of(to.path + "/dir/fifo")));
  char target[64] = {};
  REQUIRE(::readlink((to.path + "/link").c_str(), target, sizeof(target) - 1) > 0);
  CHECK(std::string(target) == "/etc/passwd");  // copied as a link, not followed
}

TEST_CASE("copy_tree onto the same directory does nothing; an existing entry is an error") {
  TempDir from, to;
  REQUIRE(ocistart::util::write_file_atomic(from.path + "/f", "x", 0644).ok());
  UniqueFd a = from.open(), again = from.open();
  CHECK(ocistart::os::copy_tree(a.get(), again.get()).ok());

  REQUIRE(ocistart::util::write_file_atomic(to.path + "/f", "y", 0644).ok());
  UniqueFd b = to.open();
  ocistart::util::Status s = ocistart::os::copy_tree(a.get(), b.get());
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == EEXIST);
  CHECK(s.error().message.find("create `f`") != std::string::npos);
}
