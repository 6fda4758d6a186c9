// spec and features: the two commands that only describe things.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "cli/app.h"
#include "cli/common.h"
#include "spec/default_spec.h"
#include "spec/features.h"
#include "spec/serialize.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::cli {
namespace {

constexpr const char* kConfigName = "config.json";

util::Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      int err = errno;
      if (err == EINTR)
        continue;
      return util::errno_error("write", err);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// Writes the default config.json into the bundle. Never replaces an existing file:
// O_EXCL makes the check and the creation one step. Mode 0666 minus the umask, as runc.
util::Status write_spec(const SpecOptions& o) {
  std::string dir = o.bundle.empty() ? std::string(".") : o.bundle;
  util::UniqueFd dirfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dirfd) {
    int err = errno;
    return util::errno_error("open bundle `" + dir + "`", err);
  }
  std::string shown = o.bundle.empty() ? std::string(kConfigName) : o.bundle + "/" + kConfigName;

  std::string json = spec::to_json(spec::default_config(o.rootless, getuid(), getgid()), 2);
  json.push_back('\n');

  util::UniqueFd fd(::openat(dirfd.get(), kConfigName, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666));
  if (!fd) {
    int err = errno;
    if (err == EEXIST)
      return util::make_error("`" + shown + "` already exists: remove it first", EEXIST);
    return util::errno_error("create `" + shown + "`", err);
  }
  util::Status written = write_all(fd.get(), json);
  if (written.ok() && ::close(fd.release()) != 0) {
    int err = errno;
    written = util::errno_error("close", err);
  }
  if (!written.ok()) {
    (void)::unlinkat(dirfd.get(), kConfigName, 0);
    return std::move(written).error().wrap("write `" + shown + "`");
  }
  return {};
}

}  // namespace

Command add_spec(CLI::App& parent, const GlobalOptions& /*global*/, SpecOptions& o) {
  CLI::App* sub = parent.add_subcommand("spec", "create a new specification file (config.json)");
  sub->add_option("-b,--bundle", o.bundle, "path to the root of the bundle directory (default: the current directory)")
      ->type_name("DIR");
  sub->add_flag("--rootless", o.rootless, "generate a configuration for a rootless container");
  sub->footer(
      "Writes a starter config.json into the bundle directory; it runs `sh` with a terminal\n"
      "in the directory `rootfs`. An existing config.json is never overwritten.");
  return {sub, [&o] {
            util::Status s = write_spec(o);
            return s.ok() ? 0 : fail("spec", std::move(s).error());
          }};
}

Command add_features(CLI::App& parent, const GlobalOptions& /*global*/) {
  CLI::App* sub = parent.add_subcommand("features", "show the features of this build (JSON)");
  sub->footer("Prints the OCI features document: what this build of ocistart implements.");
  return {sub, [] {
            std::string json = spec::features_json();
            json.push_back('\n');
            std::fwrite(json.data(), 1, json.size(), stdout);
            return std::fflush(stdout) == 0 ? 0 : fail("features", util::errno_error("write to stdout"));
          }};
}

}  // namespace ocistart::cli
