// Statistics of a cgroup for `events`: parsers first (pure), then the v1 and v2 readers.
#include "cgroups/stats.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <limits>

#include "cgroups/fs_common.h"
#include "util/text.h"

namespace ocistart::cgroups {
namespace {

constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

std::optional<uint64_t> to_u64(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty())
      out.push_back(line);
    if (nl == std::string_view::npos)
      break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// "8:16" -> {8, 16}.
bool parse_device(std::string_view s, uint64_t& major, uint64_t& minor) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos)
    return false;
  std::optional<uint64_t> ma = to_u64(s.substr(0, colon)), mi = to_u64(s.substr(colon + 1));
  if (!ma || !mi)
    return false;
  major = *ma;
  minor = *mi;
  return true;
}

// One cgroup directory: files read relative to its O_PATH fd; a missing file is "".
class Dir {
 public:
  Dir() = default;
  Dir(util::UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  [[nodiscard]] bool ok() const { return fd_.get() >= 0; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string text(const std::string& name) const {
    if (!ok())
      return {};
    util::Result<std::string> t = fs::read_file(fd_.get(), name);
    return t ? std::move(*t) : std::string();
  }
  [[nodiscard]] std::optional<uint64_t> number(const std::string& name) const {
    return fs::parse_u64(fs::last_line(text(name)));
  }
  [[nodiscard]] uint64_t number_or_zero(const std::string& name) const { return number(name).value_or(0); }
  [[nodiscard]] bool has(const std::string& name) const {
    return ok() && ::faccessat(fd_.get(), name.c_str(), F_OK, 0) == 0;
  }
  // The page sizes of hugetlb.<size>.<suffix> files ("2MB").
  [[nodiscard]] std::vector<std::string> hugetlb_sizes(std::string_view suffix) const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(path_, ec)) {
      std::string name = entry.path().filename().string();
      std::string tail = "." + std::string(suffix);
      if (name.starts_with("hugetlb.") && name.ends_with(tail) && name.size() > 8 + tail.size())
        out.push_back(name.substr(8, name.size() - 8 - tail.size()));
    }
    return out;
  }

 private:
  util::UniqueFd fd_;
  std::string path_;
};

// The cgroup `rel` below the hierarchy mounted at `mount_point`; not ok() when missing.
Dir open_cgroup(const std::string& mount_point, const std::string& rel) {
  std::string path = mount_point + "/" + rel;
  util::Result<util::UniqueFd> fd = fs::open_dir(AT_FDCWD, path);
  if (!fd)
    return {};
  return Dir(std::move(*fd), std::move(path));
}

uint64_t ticks_to_ns(uint64_t ticks) {
  long hz = ::sysconf(_SC_CLK_TCK);
  return hz > 0 ? ticks * (1000000000ULL / static_cast<uint64_t>(hz)) : 0;
}

// memory.<prefix>{limit_in_bytes,usage_in_bytes,max_usage_in_bytes,failcnt} (v1).
MemoryEntry memory_entry_v1(const Dir& d, const std::string& prefix) {
  MemoryEntry e;
  e.limit = d.number_or_zero("memory." + prefix + "limit_in_bytes");
  e.usage = d.number_or_zero("memory." + prefix + "usage_in_bytes");
  e.max = d.number_or_zero("memory." + prefix + "max_usage_in_bytes");
  e.failcnt = d.number_or_zero("memory." + prefix + "failcnt");
  return e;
}

void read_v1(const std::vector<CgroupMount>& mounts, const std::string& mount_root, const std::string& rel, Stats& s,
             bool& ret_have_memory) {
  auto dir_of = [&](std::string_view controller) -> Dir {
    for (const CgroupMount& m : mounts) {
      if (m.v2 || !m.mount_point.starts_with(mount_root + "/"))
        continue;
      for (const std::string& c : m.controllers)
        if (c == controller)
          return open_cgroup(m.mount_point, rel);
    }
    return {};
  };

  if (Dir cpuacct = dir_of("cpuacct"); cpuacct.ok()) {
    s.have_cpu = cpuacct.has("cpuacct.usage");
    s.cpu.total = cpuacct.number_or_zero("cpuacct.usage");
    s.cpu.percpu = parse_u64_list(cpuacct.text("cpuacct.usage_percpu"));
    (void)parse_cpuacct_usage_all(cpuacct.text("cpuacct.usage_all"), s.cpu.percpu_user, s.cpu.percpu_kernel);
    std::map<std::string, uint64_t> times = parse_flat_keyed(cpuacct.text("cpuacct.stat"));
    s.cpu.user = ticks_to_ns(times["user"]);
    s.cpu.kernel = ticks_to_ns(times["system"]);
  }
  if (Dir cpu = dir_of("cpu"); cpu.ok()) {
    std::map<std::string, uint64_t> st = parse_flat_keyed(cpu.text("cpu.stat"));
    s.throttling = {st["nr_periods"], st["nr_throttled"], st["throttled_time"]};
  }
  if (Dir memory = dir_of("memory"); memory.ok()) {
    ret_have_memory = true;
    s.have_memory = memory.has("memory.usage_in_bytes");
    s.have_memory_peak = memory.has("memory.max_usage_in_bytes");
    s.memory.raw = parse_flat_keyed(memory.text("memory.stat"));
    s.memory.cache = s.memory.raw["cache"];
    s.memory.usage = memory_entry_v1(memory, "");
    s.memory.swap = memory_entry_v1(memory, "memsw.");
    s.memory.kernel = memory_entry_v1(memory, "kmem.");
    s.memory.kernel_tcp = memory_entry_v1(memory, "kmem.tcp.");
    std::map<std::string, uint64_t> oom = parse_flat_keyed(memory.text("memory.oom_control"));
    s.under_oom = oom["under_oom"] != 0;
    if (auto it = oom.find("oom_kill"); it != oom.end())
      s.oom_kills = it->second;
  }
  if (Dir pids = dir_of("pids"); pids.ok()) {
    s.have_pids = pids.has("pids.current");
    s.pids.current = pids.number_or_zero("pids.current");
    s.pids.limit = parse_limit(fs::last_line(pids.text("pids.max")), 0).value_or(0);
  }
  if (Dir blkio = dir_of("blkio"); blkio.ok()) {
    s.have_io = true;
    // The CFQ/BFQ recursive files when the scheduler keeps them, else the throttle ones.
    s.io_service_bytes = parse_blkio_v1(blkio.text("blkio.io_service_bytes_recursive"));
    s.io_serviced = parse_blkio_v1(blkio.text("blkio.io_serviced_recursive"));
    if (s.io_service_bytes.empty() && s.io_serviced.empty()) {
      s.io_service_bytes = parse_blkio_v1(blkio.text("blkio.throttle.io_service_bytes"));
      s.io_serviced = parse_blkio_v1(blkio.text("blkio.throttle.io_serviced"));
    }
  }
  if (Dir hugetlb = dir_of("hugetlb"); hugetlb.ok()) {
    for (const std::string& size : hugetlb.hugetlb_sizes("usage_in_bytes")) {
      const std::string base = "hugetlb." + size + ".";
      s.hugetlb[size] = {hugetlb.number_or_zero(base + "usage_in_bytes"),
                         hugetlb.number_or_zero(base + "max_usage_in_bytes"), hugetlb.number_or_zero(base + "failcnt")};
    }
  }
}

util::Status read_v2(const std::string& mount_root, const std::string& rel, Stats& s) {
  Dir d = open_cgroup(mount_root, rel);
  if (!d.ok())
    return util::make_error("cgroup `/" + rel + "` not found under `" + mount_root + "`", ENOENT);

  std::map<std::string, uint64_t> cpu = parse_flat_keyed(d.text("cpu.stat"));
  s.have_cpu = cpu.contains("usage_usec");
  s.cpu.total = cpu["usage_usec"] * 1000;
  s.cpu.user = cpu["user_usec"] * 1000;
  s.cpu.kernel = cpu["system_usec"] * 1000;
  s.throttling = {cpu["nr_periods"], cpu["nr_throttled"], cpu["throttled_usec"] * 1000};

  s.memory.raw = parse_flat_keyed(d.text("memory.stat"));
  s.memory.cache = s.memory.raw["file"];
  std::map<std::string, uint64_t> events = parse_flat_keyed(d.text("memory.events"));
  s.have_memory = d.has("memory.current");
  s.have_memory_peak = d.has("memory.peak");
  s.memory.usage.usage = d.number_or_zero("memory.current");
  s.memory.usage.max = d.number_or_zero("memory.peak");
  s.memory.usage.limit = parse_limit(fs::last_line(d.text("memory.max")), kNoLimit).value_or(kNoLimit);
  s.memory.usage.failcnt = events["max"];
  s.memory.swap.usage = d.number_or_zero("memory.swap.current");
  s.memory.swap.max = d.number_or_zero("memory.swap.peak");
  s.memory.swap.limit = parse_limit(fs::last_line(d.text("memory.swap.max")), kNoLimit).value_or(kNoLimit);
  s.memory.swap.failcnt = parse_flat_keyed(d.text("memory.swap.events"))["max"];
  if (auto it = events.find("oom_kill"); it != events.end())
    s.oom_kills = it->second;

  s.have_pids = d.has("pids.current");
  s.pids.current = d.number_or_zero("pids.current");
  s.pids.limit = parse_limit(fs::last_line(d.text("pids.max")), 0).value_or(0);

  s.have_io = d.has("io.stat");
  IoStatV2 io = parse_io_stat_v2(d.text("io.stat"));
  s.io_service_bytes = std::move(io.bytes);
  s.io_serviced = std::move(io.ios);

  for (const std::string& size : d.hugetlb_sizes("current")) {
    const std::string base = "hugetlb." + size + ".";
    s.hugetlb[size] = {d.number_or_zero(base + "current"), 0, parse_flat_keyed(d.text(base + "events"))["max"]};
  }
  return {};
}

}  // namespace

std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text) {
  std::map<std::string, uint64_t> out;
  for (std::string_view line : lines(text)) {
    std::vector<std::string_view> f = util::split_words(line);
    if (f.size() != 2)
      continue;
    if (std::optional<uint64_t> v = to_u64(f[1]))
      out[std::string(f[0])] = *v;
  }
  return out;
}

std::vector<uint64_t> parse_u64_list(std::string_view text) {
  std::vector<uint64_t> out;
  for (std::string_view line : lines(text))
    for (std::string_view f : util::split_words(line)) {
      std::optional<uint64_t> v = to_u64(f);
      if (!v)
        return out;
      out.push_back(*v);
    }
  return out;
}

bool parse_cpuacct_usage_all(std::string_view text, std::vector<uint64_t>& ret_user,
                             std::vector<uint64_t>& ret_kernel) {
  std::vector<std::string_view> ls = lines(text);
  if (ls.empty() || util::split_words(ls[0]) != std::vector<std::string_view>{"cpu", "user", "system"})
    return false;
  std::vector<uint64_t> user, kernel;
  for (size_t i = 1; i < ls.size(); ++i) {
    std::vector<std::string_view> f = util::split_words(ls[i]);
    std::optional<uint64_t> u, k;
    if (f.size() != 3 || !(u = to_u64(f[1])) || !(k = to_u64(f[2])))
      return false;
    user.push_back(*u);
    kernel.push_back(*k);
  }
  ret_user = std::move(user);
  ret_kernel = std::move(kernel);
  return true;
}

std::optional<uint64_t> parse_limit(std::string_view text, uint64_t max_value) {
  std::vector<std::string_view> f = util::split_words(fs::last_line(text));
  if (f.size() != 1)
    return std::nullopt;
  if (f[0] == "max")
    return max_value;
  return to_u64(f[0]);
}

std::vector<BlkioEntry> parse_blkio_v1(std::string_view text) {
  std::vector<BlkioEntry> out;
  for (std::string_view line : lines(text)) {
    std::vector<std::string_view> f = util::split_words(line);
    BlkioEntry e;
    std::optional<uint64_t> v;
    if (f.size() != 3 || !parse_device(f[0], e.major, e.minor) || !(v = to_u64(f[2])))
      continue;
    e.op = std::string(f[1]);
    e.value = *v;
    out.push_back(std::move(e));
  }
  return out;
}

IoStatV2 parse_io_stat_v2(std::string_view text) {
  IoStatV2 out;
  for (std::string_view line : lines(text)) {
    std::vector<std::string_view> f = util::split_words(line);
    uint64_t major = 0, minor = 0;
    if (f.empty() || !parse_device(f[0], major, minor))
      continue;
    for (size_t i = 1; i < f.size(); ++i) {
      size_t eq = f[i].find('=');
      if (eq == std::string_view::npos)
        continue;
      std::string_view key = f[i].substr(0, eq);
      std::optional<uint64_t> v = to_u64(f[i].substr(eq + 1));
      if (!v)
        continue;
      if (key == "rbytes" || key == "wbytes")
        out.bytes.push_back({major, minor, key == "rbytes" ? "Read" : "Write", *v});
      else if (key == "rios" || key == "wios")
        out.ios.push_back({major, minor, key == "rios" ? "Read" : "Write", *v});
    }
  }
  return out;
}

util::Result<Stats> read_stats(const CgroupfsOptions& options) {
  util::Result<std::string> path = normalize_cgroup_path(options.cgroup_path);
  if (!path)
    return std::move(path).error();
  const std::string rel = path->substr(1);
  Layout layout = Layout::v2;
  if (options.layout) {
    layout = *options.layout;
  } else {
    util::Result<Layout> detected = detect_layout(options.mount_root);
    if (!detected)
      return std::move(detected).error();
    layout = *detected;
  }

  Stats s;
  if (layout == Layout::v2) {
    if (util::Status st = read_v2(options.mount_root, rel, s); !st)
      return std::move(st).error();
    return s;
  }
  util::Result<std::vector<CgroupMount>> mounts = read_cgroup_mounts(options.mountinfo_path);
  if (!mounts)
    return std::move(mounts).error();
  bool have_memory = false;
  read_v1(*mounts, options.mount_root, rel, s, have_memory);
  if (!have_memory)
    return util::make_error(
        "cgroup `" + *path + "` not found in the memory hierarchy under `" + options.mount_root + "`", ENOENT);
  return s;
}

}  // namespace ocistart::cgroups
