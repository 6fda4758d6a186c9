// Bundle-less runs (`run --rootfs DIR | --image NAME [flags] [--] CMD...`), like
// `systemd-nspawn -D DIR CMD` and `systemd-run CMD`: the container's config is the default
// spec (what `ocistart spec` writes) plus flags in nspawn's and systemd-run's words. The
// pure part (flags -> spec::Config, id generation) is here and unit-tested; the files it
// needs (the rootfs's /etc/passwd and /etc/group, the image directory) are read by
// find_image() and read_rootfs_accounts(), and lifecycle.cc does the run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::cli {

/// The flags of a bundle-less run, as given (run's own flags are in RunOptions).
struct BundlelessOptions {
  std::string rootfs;                          // --rootfs DIR (absolute once parsed)
  std::string image;                           // --image NAME
  std::string name;                            // --name/-M/--machine: the container id (else generated)
  std::vector<std::string> command;            // every positional; empty: the default spec's `sh`
  std::vector<std::string> setenv;             // -E/--setenv NAME=VALUE, repeatable
  std::string uid;                             // --uid: a number or a name in the rootfs's /etc/passwd
  std::string gid;                             // --gid: a number or a name in the rootfs's /etc/group
  std::string working_directory;               // --working-directory: absolute
  bool pty = false;                            // -t/--pty: process.terminal
  std::vector<std::string> binds;              // --bind SRC[:DST[:ro]]
  std::vector<std::string> binds_ro;           // --bind-ro SRC[:DST]
  std::vector<std::string> tmpfs;              // --tmpfs DST[:OPTIONS]
  std::string hostname;                        // --hostname
  std::string network;                         // --network none|host ("" = none)
  bool read_only = false;                      // --read-only: root.readonly
  std::vector<std::string> capabilities;       // --capability CAP[,CAP...]
  std::vector<std::string> drop_capabilities;  // --drop-capability CAP[,CAP...] or all
  bool print_config = false;                   // --print-config

  /// Bundle-less mode: --rootfs or --image was given.
  [[nodiscard]] bool active() const noexcept { return !rootfs.empty() || !image.empty(); }
  /// The first bundle-less-only flag that was given ("--setenv"), or "" for none: for
  /// the error when one is used without --rootfs/--image.
  [[nodiscard]] std::string first_flag_given() const;
};

/// The rootfs's account files (passwd(5), group(5) text); empty when missing.
struct RootfsAccounts {
  std::string passwd;
  std::string group;
};

/// `base` (the default spec) changed by the flags: root.path = `rootfs` (absolute), the
/// command, env (a NAME replaces the default's), user (a --uid name or number found in
/// `accounts.passwd` also gives the gid when --gid is absent; else gid 0), cwd, terminal,
/// mounts appended in flag order (--bind/--bind-ro as rbind mounts, `ro` for read-only;
/// --tmpfs as tmpfs with nosuid,nodev,mode=0755 unless the options set a mode), hostname,
/// network (host: no network namespace), root.readonly, capabilities (the default's, with
/// --capability added to bounding, effective and permitted, --drop-capability removed from
/// every set, drops win; no ambient set: a --uid other than 0 has none after exec). Bind sources are made absolute against the
/// cwd, not checked. Errors name the flag: "--bind: expected SRC[:DST[:ro]], got `a:b:c:d`".
[[nodiscard]] util::Result<spec::Config> bundleless_config(const BundlelessOptions& o, const std::string& rootfs,
                                                           const RootfsAccounts& accounts, spec::Config base);

/// "CAP_NET_ADMIN" for "net_admin", "Cap_Net_Admin", "CAP_NET_ADMIN"; nullopt for an
/// unknown capability.
[[nodiscard]] std::optional<std::string> capability_name(std::string_view text);

/// A bind mount from `--bind SRC[:DST[:ro]]` (`read_only`: --bind-ro, which takes no
/// options). DST defaults to SRC; both must be absolute once SRC is made absolute.
[[nodiscard]] util::Result<spec::Mount> parse_bind(std::string_view text, bool read_only);

/// A tmpfs mount from `--tmpfs DST[:OPTIONS]` (OPTIONS: comma-separated mount options).
[[nodiscard]] util::Result<spec::Mount> parse_tmpfs(std::string_view text);

/// An image name is a plain name: not empty, no '/', not "." or "..". EINVAL naming --image.
[[nodiscard]] util::Status check_image_name(std::string_view name);

/// Where --image NAME is looked for, in order.
[[nodiscard]] std::vector<std::string> image_places(std::string_view name);

/// The first of image_places(name) that is a directory. ENOENT: "--image `x`: not found in
/// /var/lib/machines/x, /var/lib/ocistart/images/x".
[[nodiscard]] util::Result<std::string> find_image(std::string_view name, const std::vector<std::string>& places);

/// The id of a container run without --name: "<image>-<8 hex>" when that is a valid
/// container id, else "ocistart-<8 hex>", the hex digits from `random`. Pure.
[[nodiscard]] std::string generated_container_id(std::string_view image, uint32_t random);

/// /etc/passwd and /etc/group of the rootfs at `rootfs`, read with every symlink resolved
/// inside it (openat2 RESOLVE_IN_ROOT): a rootfs cannot make us read a host file. Missing
/// files are empty.
[[nodiscard]] util::Result<RootfsAccounts> read_rootfs_accounts(const std::string& rootfs);

}  // namespace ocistart::cli
