// Internal to src/cgroups: dirfd-based file helpers and the plan applier shared by the
// cgroupfs v1 and v2 drivers. Every fd O_CLOEXEC; every path is relative to a dirfd.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/cgroupfs.h"
#include "cgroups/resources.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::cgroups::fs {

/// An O_PATH|O_DIRECTORY fd of `path` (relative to `dirfd`, or absolute), not following a
/// final symlink. Errors: "open `path`: <errno>".
[[nodiscard]] util::Result<util::UniqueFd> open_dir(int dirfd, const std::string& path);

/// The whole file `name` under `dirfd`.
[[nodiscard]] util::Result<std::string> read_file(int dirfd, const std::string& name);

/// One write(2) of `value` to the existing file `name` under `dirfd`. With `fake` the file
/// is created when missing and `value` + "\n" is appended. Errors keep the errno and read
/// "write `name` = `value`: <strerror>".
[[nodiscard]] util::Status write_file(int dirfd, const std::string& name, std::string_view value, bool fake);

/// The components of a normalized cgroup path ("/a/b" -> {"a", "b"}).
[[nodiscard]] std::vector<std::string> components(std::string_view path);

/// mkdir of each missing component of `path` below `root`, top-down. Returns the relative
/// paths it created, top-down. On failure removes what it made.
[[nodiscard]] util::Result<std::vector<std::string>> make_path(int root, std::string_view path, bool fake);

/// Undoes make_path (`made`, its result): the cgroup asked for (the last of `made`) with its
/// child cgroups, then the levels above it that make_path made, bottom-up, each only while
/// it is empty. A create running at the same time may have put its own cgroup into a level
/// this one made ("ocistart/"): removing it recursively would take that one along.
void remove_made_path(int root, const std::vector<std::string>& made, std::chrono::milliseconds timeout, bool fake);

/// Removes the cgroup `rel` below `root` and its child cgroups, children first. Missing is
/// fine. rmdir is retried on EBUSY until `timeout`. With `fake`, files are unlinked first.
[[nodiscard]] util::Status remove_cgroup(int root, const std::string& rel, std::chrono::milliseconds timeout,
                                         bool fake);

/// The pids in cgroup.procs of the directory `dir` and of every cgroup below it.
[[nodiscard]] util::Result<std::vector<int>> read_pids_recursive(int dir);

/// `name` ("tasks", "cgroup.procs") under `dir`, opened for a new process to write "0" to
/// (os::CgroupEntry); `path` names it in messages. With `fake` a missing file is created.
[[nodiscard]] util::Result<os::CgroupEntryFile> open_entry_file(int dir, const char* name, std::string path, bool fake);

/// `dir` (an O_PATH fd of a v2 cgroup) reopened O_RDONLY|O_DIRECTORY, for CLONE_INTO_CGROUP.
[[nodiscard]] util::Result<util::UniqueFd> reopen_v2_dir(int dir, const std::string& path);

/// Writes `pid` into `dir`'s cgroup.procs.
[[nodiscard]] util::Status join(int dir, int pid, bool fake);

/// Applies `writes` in order. `dir_for(controller)` gives the dirfd of the container's
/// cgroup in the hierarchy of that controller, or an error (not mounted, not created).
/// Honors Write::fallback_file, ::optional and ::retry_after_next.
[[nodiscard]] util::Status apply_writes(const std::vector<Write>& writes,
                                        const std::function<util::Result<int>(const std::string&)>& dir_for, bool fake);

/// cgroup v2 freezer (also the unified hierarchy of hybrid hosts): writes cgroup.freeze
/// `frozen` ? "1" : "0" and waits until cgroup.events says "frozen 1" / "frozen 0". On a
/// freeze timeout thaws again and fails with ETIMEDOUT.
[[nodiscard]] util::Status set_frozen_v2(int dir, bool frozen, std::chrono::milliseconds timeout, bool fake);

/// `rel` below `root` when it exists, else its nearest ancestor that does (`root` itself at
/// the end), opened O_PATH: what a process put at `rel` would be under.
[[nodiscard]] util::Result<util::UniqueFd> open_nearest(int root, const std::string& rel);

/// v1 freezer: freezer.state of `dir` reads FROZEN or FREEZING (a cgroup under a frozen
/// parent reads FROZEN too). False when it cannot be read (the root has none).
[[nodiscard]] bool frozen_v1(int dir);

/// v2 (and hybrid's unified): cgroup.freeze of `dir` is 1, or cgroup.events says "frozen 1"
/// (set for a frozen ancestor as well). False when neither can be read (the root).
[[nodiscard]] bool frozen_v2(int dir);

/// The number of processes in `rel` below `root` and in its children; 0 when it does not
/// exist.
[[nodiscard]] util::Result<size_t> count_processes(int root, const std::string& rel);

/// The last non-empty line of `text`, trimmed (a fake tree appends every write).
[[nodiscard]] std::string_view last_line(std::string_view text);

/// The unsigned number at the start of `text` (after blanks), e.g. memory.current.
[[nodiscard]] std::optional<uint64_t> parse_u64(std::string_view text);

/// The value of `key` in a "key value" file such as cgroup.events (the last one wins).
[[nodiscard]] std::optional<std::string_view> key_value(std::string_view text, std::string_view key);

/// The drivers behind make_cgroupfs_driver(); `path` is normalized.
[[nodiscard]] util::Result<std::unique_ptr<Driver>> make_v1_driver(const CgroupfsOptions& options, std::string path,
                                                                   bool hybrid);
[[nodiscard]] util::Result<std::unique_ptr<Driver>> make_v2_driver(const CgroupfsOptions& options, std::string path);

}  // namespace ocistart::cgroups::fs
