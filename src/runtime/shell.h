// shell: a login shell (or a command) in a running container through a pty, as
// `machinectl shell` gives one: the user's shell, home and environment from the
// container's own /etc/passwd, run by `exec -t`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/container.h"
#include "util/result.h"

namespace ocistart::runtime {

struct ShellOptions {
  std::string root;  ///< state root
  std::string id;
  std::string user = "root";        ///< --uid: a name or a uid of the container's /etc/passwd
  std::vector<std::string> setenv;  ///< --setenv NAME=VALUE, after the defaults
  std::vector<std::string> args;    ///< the command; empty: the user's shell as a login shell
  std::string term;                 ///< our $TERM; empty: unset
};

/// The PATH a shell gets unless --setenv gives one (systemd's default).
inline constexpr std::string_view kShellPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The exec of a shell, from the container's passwd and group text: the user's uid, gid
/// and the groups that list it; cwd its home ("/" when empty); an environment of its own
/// (the container's process env is not inherited): TERM (ours, or vt220), HOME, USER,
/// LOGNAME, SHELL (/bin/sh when empty), PATH, then --setenv (replacing a default of the
/// same name); args the command, or `<shell> -l`. Errors: "--uid: no user `x` in the
/// container's /etc/passwd", "--setenv: expected NAME=VALUE, got `x`" (EINVAL). root
/// needs no passwd line (then home "/", shell /bin/sh). Pure.
[[nodiscard]] util::Result<ExecOptions> shell_exec_options(const ShellOptions& options, std::string_view passwd,
                                                           std::string_view group);

/// Runs the shell in the foreground with a pty and returns its exit status (128+N for a
/// signal). The container must be running.
[[nodiscard]] util::Result<int> shell(const ShellOptions& options);

}  // namespace ocistart::runtime
