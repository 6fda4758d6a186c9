// util/fs: atomic writes leave no temp files, remove_tree never follows a symlink out.
#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "util/fs.h"
#include "temp_dir.h"

using namespace ocistart::util;

namespace {

using ocistart::testing::TempDir;

// Every name in `dir` (hidden ones too), sorted.
std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..")
      out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("fs: write_file_atomic writes, replaces, sets the mode, leaves no temp file") {
  TempDir t;
  std::string f = t.path + "/state.json";
  REQUIRE(write_file_atomic(f, "first").ok());
  CHECK(read_file(f).value() == "first");
  REQUIRE(write_file_atomic(f, "second, longer than the first").ok());
  CHECK(read_file(f).value() == "second, longer than the first");
  REQUIRE(write_file_atomic(f, "").ok());
  CHECK(read_file(f).value() == "");
  CHECK(names_in(t.path) == std::vector<std::string>{"state.json"});

  mode_t old = ::umask(077);
  REQUIRE(write_file_atomic(t.path + "/m", "x", 0644).ok());
  ::umask(old);
  struct stat st {};
  REQUIRE(::stat((t.path + "/m").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);  // exactly `mode`, whatever the umask
  REQUIRE(write_file_atomic(t.path + "/m", "y").ok());
  REQUIRE(::stat((t.path + "/m").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);

  // Relative paths work (the directory is ".").
  char cwd[4096];
  REQUIRE(::getcwd(cwd, sizeof cwd) != nullptr);
  REQUIRE(::chdir(t.path.c_str()) == 0);
  Status rel = write_file_atomic("rel", "r");
  REQUIRE(::chdir(cwd) == 0);
  REQUIRE(rel.ok());
  CHECK(read_file(t.path + "/rel").value() == "r");

  // A file of a few MiB is written whole.
  std::string big(3 << 20, 'z');
  REQUIRE(write_file_atomic(f, big).ok());
  CHECK(read_file(f).value() == big);
}

TEST_CASE("fs: write_file_atomic failures name the path and remove the temp file") {
  TempDir t;
  std::string target = t.path + "/dir";
  REQUIRE(::mkdir(target.c_str(), 0700) == 0);
  REQUIRE(write_file_atomic(target + "/inside", "x").ok());
  Status s = write_file_atomic(target, "data");  // rename over a non-empty directory
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code != 0);
  CHECK(s.error().message.rfind("write `" + target + "`: ", 0) == 0);
  CHECK(names_in(t.path) == std::vector<std::string>{"dir"});
  CHECK(names_in(target) == std::vector<std::string>{"inside"});

  Status missing = write_file_atomic(t.path + "/no/such/file", "x");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ENOENT);
  CHECK(missing.error().message == "write `" + t.path + "/no/such/file`: no such file or directory");
}

TEST_CASE("fs: read_file and write_file") {
  TempDir t;
  Result<std::string> r = read_file(t.path + "/missing");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ENOENT);
  CHECK(r.error().message == "read `" + t.path + "/missing`: no such file or directory");

  // write_file writes an existing file and never creates one.
  Status w = write_file(t.path + "/missing", "1");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().code == ENOENT);
  CHECK_FALSE(exists(t.path + "/missing"));
  REQUIRE(write_file_atomic(t.path + "/f", "old").ok());
  REQUIRE(write_file(t.path + "/f", "new").ok());
  CHECK(read_file(t.path + "/f").value() == "new");

  // Relative to a directory fd.
  int dfd = ::open(t.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(dfd >= 0);
  CHECK(read_file("f", dfd).value() == "new");
  REQUIRE(write_file("f", "at", dfd).ok());
  CHECK(read_file("f", dfd).value() == "at");
  ::close(dfd);

  // /proc files report size 0 but have content.
  Result<std::string> stat = read_file("/proc/self/stat");
  REQUIRE(stat.ok());
  CHECK(stat->size() > 20);
}

TEST_CASE("fs: mkdir_p") {
  TempDir t;
  REQUIRE(mkdir_p(t.path + "/a/b//c/", 0700).ok());
  struct stat st {};
  REQUIRE(::stat((t.path + "/a/b/c").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(mkdir_p(t.path + "/a/b/c").ok());  // existing is fine
  REQUIRE(write_file_atomic(t.path + "/a/file", "x").ok());
  Status s = mkdir_p(t.path + "/a/file/sub");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ENOTDIR);
  CHECK(s.error().message.find("`" + t.path + "/a/file`") != std::string::npos);
  CHECK_FALSE(mkdir_p("").ok());
}

TEST_CASE("fs: remove_tree removes a tree and does not follow symlinks out of it") {
  TempDir t;
  std::string outside = t.path + "/outside";
  REQUIRE(mkdir_p(outside + "/deep").ok());
  REQUIRE(write_file_atomic(outside + "/keep", "precious").ok());
  REQUIRE(write_file_atomic(outside + "/deep/keep2", "precious").ok());

  std::string tree = t.path + "/tree";
  REQUIRE(mkdir_p(tree + "/a/b/c").ok());
  REQUIRE(write_file_atomic(tree + "/a/b/c/f", "x").ok());
  REQUIRE(write_file_atomic(tree + "/top", "x").ok());
  REQUIRE(::mkfifo((tree + "/a/fifo").c_str(), 0600) == 0);
  REQUIRE(::symlink(outside.c_str(), (tree + "/link-dir").c_str()) == 0);
  REQUIRE(::symlink((outside + "/keep").c_str(), (tree + "/a/link-file").c_str()) == 0);
  REQUIRE(::symlink("../../outside", (tree + "/a/rel-link").c_str()) == 0);
  REQUIRE(::symlink("/nonexistent", (tree + "/dangling").c_str()) == 0);

  REQUIRE(remove_tree(tree).ok());
  CHECK_FALSE(exists(tree));
  CHECK(read_file(outside + "/keep").value() == "precious");
  CHECK(read_file(outside + "/deep/keep2").value() == "precious");

  // The top itself a symlink to a directory: only the link goes.
  std::string top_link = t.path + "/top-link";
  REQUIRE(::symlink(outside.c_str(), top_link.c_str()) == 0);
  REQUIRE(remove_tree(top_link).ok());
  CHECK_FALSE(exists(top_link));
  CHECK(read_file(outside + "/keep").value() == "precious");

  // A plain file; a missing path; a missing parent.
  REQUIRE(remove_tree(outside + "/keep").ok());
  CHECK_FALSE(exists(outside + "/keep"));
  CHECK(remove_tree(t.path + "/never-was").ok());
  CHECK(remove_tree(t.path + "/never/was").ok());
  CHECK(exists(outside + "/deep/keep2"));
}
