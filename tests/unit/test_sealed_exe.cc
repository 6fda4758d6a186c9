// linux/sealed_exe: the memfd copy is the file's content and takes no change; only a sealed
// memfd (or a detached read-only mount, tested as root in escape_exe.sh) counts as sealed.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

#include "linux/sealed_exe.h"

using ocistart::util::UniqueFd;

namespace {

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

}  // namespace

TEST_CASE("sealed_copy: the content of the file, and no way to change it") {
  UniqueFd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  REQUIRE(self.valid());
  struct stat original {};
  REQUIRE(::fstat(self.get(), &original) == 0);

  ocistart::util::Result<UniqueFd> copy = ocistart::os::sealed_copy(self.get());
  REQUIRE(copy.ok());
  struct stat st {};
  REQUIRE(::fstat(copy->get(), &st) == 0);
  CHECK(st.st_size == original.st_size);
  char a[4096], b[4096];
  REQUIRE(::pread(self.get(), a, sizeof a, 0) == static_cast<ssize_t>(sizeof a));
  REQUIRE(::pread(copy->get(), b, sizeof b, 0) == static_cast<ssize_t>(sizeof b));
  CHECK(std::string(a, sizeof a) == std::string(b, sizeof b));
  CHECK(ocistart::os::is_sealed(copy->get()));

  // What a container holding /proc/<pid>/exe would try: reopen it for writing.
  UniqueFd writer(::open(fd_path(copy->get()).c_str(), O_WRONLY | O_CLOEXEC));
  if (writer.valid()) {
    CHECK(::pwrite(writer.get(), "X", 1, 0) < 0);
    CHECK(errno == EPERM);
    CHECK(::ftruncate(writer.get(), 0) < 0);
  }
  CHECK(::fcntl(copy->get(), F_ADD_SEALS, 0) < 0);  // F_SEAL_SEAL: the seals stay
}

TEST_CASE("is_sealed: the binary itself and a writable file are not") {
  UniqueFd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  REQUIRE(self.valid());
  CHECK_FALSE(ocistart::os::is_sealed(self.get()));
  char tmpl[] = "/tmp/ocistart-sealed-test-XXXXXX";
  UniqueFd file(::mkostemp(tmpl, O_CLOEXEC));
  REQUIRE(file.valid());
  (void)::unlink(tmpl);
  CHECK_FALSE(ocistart::os::is_sealed(file.get()));
}

TEST_CASE("original_exe: not re-executed, the binary's own path (what run --service puts in ExecStart)") {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  REQUIRE(n > 0);
  ocistart::util::Result<std::string> exe = ocistart::os::original_exe();
  REQUIRE(exe.ok());
  CHECK(*exe == std::string(self, static_cast<size_t>(n)));
  CHECK(exe->front() == '/');
}

TEST_CASE("sealed_copy: its name says which file it copies (original_binary reads it)") {
  UniqueFd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  REQUIRE(self.valid());
  ocistart::util::Result<UniqueFd> copy = ocistart::os::sealed_copy(self.get());
  REQUIRE(copy.ok());
  char link[4096];
  ssize_t n = ::readlink(fd_path(copy->get()).c_str(), link, sizeof link);
  REQUIRE(n > 0);
  std::optional<ocistart::os::FileId> copied = ocistart::os::memfd_file_id(std::string_view(link, n));
  REQUIRE(copied.has_value());
  CHECK(copied == ocistart::os::file_id("/proc/self/exe"));
  // Not started from a copy: the binary itself.
  CHECK(ocistart::os::original_binary() == ocistart::os::file_id("/proc/self/exe"));
}

TEST_CASE("memfd_file_id: only a sealed_copy's name, whole") {
  using ocistart::os::memfd_file_id;
  CHECK(memfd_file_id("/memfd:ocistart:2049:1234 (deleted)") == ocistart::os::FileId{2049, 1234});
  CHECK_FALSE(memfd_file_id("/memfd:ocistart (deleted)"));
  CHECK_FALSE(memfd_file_id("/memfd:other:2049:1234 (deleted)"));
  CHECK_FALSE(memfd_file_id("/memfd:ocistart:2049:12x4 (deleted)"));
  CHECK_FALSE(memfd_file_id("/memfd:ocistart:2049: (deleted)"));
  CHECK_FALSE(memfd_file_id("/memfd:ocistart:2049:1234"));
  CHECK_FALSE(memfd_file_id("/usr/bin/ocistart"));
}
