#include "spec/features.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "build_config.h"
#include "spec/config.h"
#include "spec/names.h"
#include "util/json_writer.h"

#if OCISTART_HAVE_SECCOMP
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#endif

namespace ocistart::spec {
namespace {

using util::JsonWriter;

constexpr std::string_view kHookNames[] = {"prestart",       "createRuntime", "createContainer",
                                           "startContainer", "poststart",     "poststop"};

void member_list(JsonWriter& w, std::string_view key, const std::vector<std::string_view>& names) {
  w.key(key).begin_array();
  for (std::string_view n : names)
    w.value(n);
  w.end_array();
}

std::vector<std::string_view> namespace_names() {
  std::vector<std::string_view> names;
  for (NamespaceType t : {NamespaceType::pid, NamespaceType::network, NamespaceType::mount, NamespaceType::ipc,
                          NamespaceType::uts, NamespaceType::user, NamespaceType::cgroup, NamespaceType::time})
    names.emplace_back(to_string(t));
  std::sort(names.begin(), names.end());
  return names;
}

#if OCISTART_HAVE_SECCOMP

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  if (v == nullptr)
    return {};
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

// Actions the libseccomp headers we build against define (every spec action since 2.5).
bool action_known(std::string_view name) {
  static constexpr std::string_view kDefined[] = {
#ifdef SCMP_ACT_KILL
      "SCMP_ACT_KILL",
#endif
#ifdef SCMP_ACT_KILL_PROCESS
      "SCMP_ACT_KILL_PROCESS",
#endif
#ifdef SCMP_ACT_KILL_THREAD
      "SCMP_ACT_KILL_THREAD",
#endif
#ifdef SCMP_ACT_TRAP
      "SCMP_ACT_TRAP",
#endif
#ifdef SCMP_ACT_ERRNO
      "SCMP_ACT_ERRNO",
#endif
#ifdef SCMP_ACT_TRACE
      "SCMP_ACT_TRACE",
#endif
#ifdef SCMP_ACT_ALLOW
      "SCMP_ACT_ALLOW",
#endif
#ifdef SCMP_ACT_LOG
      "SCMP_ACT_LOG",
#endif
#ifdef SCMP_ACT_NOTIFY
      "SCMP_ACT_NOTIFY",
#endif
  };
  return std::find(std::begin(kDefined), std::end(kDefined), name) != std::end(kDefined);
}

// "SCMP_ARCH_X86_64" -> whether the installed libseccomp resolves "x86_64".
bool arch_known(std::string_view name) {
  constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (name.substr(0, kPrefix.size()) != kPrefix)
    return false;
  std::string lower(name.substr(kPrefix.size()));
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return seccomp_arch_resolve_name(lower.c_str()) != 0;
}

// Whether this kernel takes the filter flag: ocistart hands the flags to seccomp(2) itself.
// Given no program, seccomp(2) fails on the program (EFAULT) once it has accepted the
// flags, on the flags (EINVAL) otherwise; nothing is loaded either way (libseccomp's probe).
// WAIT_KILLABLE_RECV goes only with a listener.
bool flag_supported(std::string_view name) {
  std::optional<unsigned long> flag = seccomp_flag_value(name);
  if (!flag)
    return false;
  unsigned long flags = *flag;
  if (flags == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, nullptr) < 0 && errno == EFAULT;
}

template <class Pred>
std::vector<std::string_view> filtered(const std::vector<std::string_view>& names, Pred keep) {
  std::vector<std::string_view> out;
  std::copy_if(names.begin(), names.end(), std::back_inserter(out), keep);
  return out;
}

void write_seccomp(JsonWriter& w) {
  w.key("seccomp").begin_object().member("enabled", true);
  member_list(w, "actions", filtered(seccomp_action_names(), action_known));
  member_list(w, "operators", seccomp_operator_names());
  member_list(w, "archs", filtered(seccomp_arch_names(), arch_known));
  member_list(w, "knownFlags", seccomp_flag_names());
  member_list(w, "supportedFlags", filtered(seccomp_flag_names(), flag_supported));
  w.end_object();
}

#else

void write_seccomp(JsonWriter& w) { w.key("seccomp").begin_object().member("enabled", false).end_object(); }

#endif

}  // namespace

std::string features_json() {
  JsonWriter w(4);
  w.begin_object();
  w.member("ociVersionMin", "1.0.0");
  w.member("ociVersionMax", OCISTART_OCI_VERSION);
  member_list(w, "hooks", {std::begin(kHookNames), std::end(kHookNames)});
  member_list(w, "mountOptions", known_mount_options());

  w.key("linux").begin_object();
  member_list(w, "namespaces", namespace_names());
  member_list(w, "capabilities", capability_names());
  w.key("cgroup")
      .begin_object()
      .member("v1", true)
      .member("v2", true)
      .member("systemd", OCISTART_HAVE_SYSTEMD != 0)
      .member("systemdUser", false)
      .member("rdma", true)
      .end_object();
  write_seccomp(w);
  w.key("apparmor").begin_object().member("enabled", OCISTART_HAVE_APPARMOR != 0).end_object();
  w.key("selinux").begin_object().member("enabled", OCISTART_HAVE_SELINUX != 0).end_object();
  // Intel RDT (resctrl) is not implemented: linux.intelRdt in a config is not applied.
  w.key("intelRdt").begin_object().member("enabled", false).end_object();
  w.key("mountExtensions").begin_object().key("idmap").begin_object().member("enabled", true).end_object().end_object();
  w.end_object();  // linux

#if OCISTART_HAVE_SYSTEMD
  // The systemd driver turns org.systemd.property.* annotations into unit properties.
  member_list(w, "potentiallyUnsafeConfigAnnotations", {"org.systemd.property."});
#endif

  // Keys sorted, as a Go map would print them.
  w.key("annotations").begin_object();
  w.member("io.github.ocistart.systemd", OCISTART_HAVE_SYSTEMD ? "true" : "false");
  w.member("io.github.ocistart.version", OCISTART_VERSION);
#if OCISTART_HAVE_SECCOMP
  if (std::string v = libseccomp_version(); !v.empty())
    w.member("io.github.seccomp.libseccomp.version", v);
#endif
  w.end_object();

  w.end_object();
  return std::move(w).str();
}

}  // namespace ocistart::spec
