// runtime/host_module: which systemd module file a binary loads (pure).
#include <doctest/doctest.h>

#include "runtime/host_module.h"

using ocistart::os::FileId;
using ocistart::runtime::module_path;

TEST_CASE("module_path: the build tree's module for the build tree's binary, else the installed one") {
  const FileId build{8, 100}, other{8, 200};
  CHECK(module_path(build, build, "/b/src", "/usr/lib/ocistart/ocistart-systemd.so") == "/b/src/ocistart-systemd.so");
  CHECK(module_path(other, build, "/b/src", "/usr/lib/ocistart/ocistart-systemd.so") ==
        "/usr/lib/ocistart/ocistart-systemd.so");
  // No build tree (removed), or our own file unknown: the installed one.
  CHECK(module_path(build, std::nullopt, "/b/src", "/i.so") == "/i.so");
  CHECK(module_path(std::nullopt, build, "/b/src", "/i.so") == "/i.so");
  CHECK(module_path(std::nullopt, std::nullopt, "/b/src", "/i.so") == "/i.so");
}
