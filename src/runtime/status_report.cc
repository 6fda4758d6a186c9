#include "runtime/status_report.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

#include "runtime/container.h"
#include "runtime/host_integration.h"
#include "systemd/journal_reader.h"
#include "util/fs.h"

namespace ocistart::runtime {
namespace {

constexpr uint64_t kUsecPerSec = 1000000;
// v1 reports "no limit" as the largest page-aligned counter (9223372036854771712 with 4 KiB
// pages); anything this large is not a limit anyone set.
constexpr uint64_t kUnlimitedFrom = uint64_t{1} << 62;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The unsigned number a cgroup file starts with; nullopt when the file is missing,
// unreadable, or says "max".
std::optional<uint64_t> read_number(const std::string& path) {
  util::Result<std::string> text = util::read_file(path);
  if (!text)
    return std::nullopt;
  std::string_view s = *text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  uint64_t v = 0;
  size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i)
    if (__builtin_mul_overflow(v, 10U, &v) || __builtin_add_overflow(v, static_cast<uint64_t>(s[i] - '0'), &v))
      return std::nullopt;
  if (i == 0)
    return std::nullopt;
  return v;
}

std::optional<uint64_t> read_limit(const std::string& path) {
  std::optional<uint64_t> v = read_number(path);
  if (v && *v >= kUnlimitedFrom)
    return std::nullopt;
  return v;
}

// The first of `candidates` that `read` gets a value from.
std::optional<uint64_t> first_of(const std::vector<std::string>& candidates,
                                 std::optional<uint64_t> (*read)(const std::string&)) {
  for (const std::string& path : candidates)
    if (std::optional<uint64_t> v = read(path))
      return v;
  return std::nullopt;
}

// The file at `path` without the `trailing` characters at its end; nullopt when unreadable.
std::optional<std::string> read_trimmed(const std::string& path, char trailing) {
  util::Result<std::string> text = util::read_file(path);
  if (!text)
    return std::nullopt;
  std::string out = std::move(*text);
  while (!out.empty() && out.back() == trailing)
    out.pop_back();
  return out;
}

// Right-aligned "Label:" and its value, as systemctl status lays them out.
void add_line(std::string& out, std::string_view label, std::string_view value) {
  constexpr size_t kWidth = 11;
  if (label.size() < kWidth)
    out.append(kWidth - label.size(), ' ');
  out.append(label).append(": ").append(value).append("\n");
}

std::string format_created(const std::string& created, uint64_t now_usec) {
  std::optional<uint64_t> usec = parse_rfc3339_usec(created);
  if (!usec)
    return created;
  std::string out = format_timestamp(*usec);
  if (now_usec >= *usec)
    out += "; " + format_age(now_usec - *usec) + " ago";
  return out;
}

}  // namespace

std::string format_timestamp(uint64_t usec) {
  time_t t = static_cast<time_t>(usec / kUsecPerSec);
  struct tm tm {};
  (void)::localtime_r(&t, &tm);
  char buf[96];
  size_t n = std::strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M:%S %Z", &tm);
  return std::string(buf, n);
}

std::string format_bytes(uint64_t bytes) {
  static constexpr const char* kSuffixes[] = {"K", "M", "G", "T", "P", "E"};
  if (bytes < 1024)
    return std::to_string(bytes) + "B";
  double value = static_cast<double>(bytes);
  size_t i = 0;
  value /= 1024;
  while (value >= 1024 && i + 1 < std::size(kSuffixes)) {
    value /= 1024;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%s", value, kSuffixes[i]);
  return buf;
}

std::string format_age(uint64_t usec) {
  uint64_t s = usec / kUsecPerSec;
  constexpr uint64_t kMin = 60, kHour = 3600, kDay = 86400, kWeek = 7 * kDay;
  auto days = [](uint64_t n) { return std::to_string(n) + (n == 1 ? " day" : " days"); };
  auto part = [](uint64_t n, const char* unit) { return n == 0 ? std::string() : " " + std::to_string(n) + unit; };
  if (s < kMin)
    return std::to_string(s) + "s";
  if (s < kHour)
    return std::to_string(s / kMin) + "min" + part(s % kMin, "s");
  if (s < kDay)
    return std::to_string(s / kHour) + "h" + part(s % kHour / kMin, "min");
  if (s < kWeek)
    return days(s / kDay) + part(s % kDay / kHour, "h");
  uint64_t weeks = s / kWeek;
  std::string out = std::to_string(weeks) + (weeks == 1 ? " week" : " weeks");
  if (uint64_t d = s % kWeek / kDay; d != 0)
    out += " " + days(d);
  return out;
}

std::optional<uint64_t> parse_rfc3339_usec(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
  auto number = [&](size_t pos, size_t len) -> std::optional<int> {
    if (pos + len > text.size())
      return std::nullopt;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (!is_digit(text[i]))
        return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':')
    return std::nullopt;
  std::optional<int> year = number(0, 4), month = number(5, 2), day = number(8, 2), hour = number(11, 2),
                     minute = number(14, 2), second = number(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 || *day < 1 || *day > 31 ||
      *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  size_t i = 19;
  uint64_t micros = 0;
  if (text[i] == '.') {
    ++i;
    size_t digits = 0;
    for (; i < text.size() && is_digit(text[i]); ++i, ++digits)
      if (digits < 6)
        micros = micros * 10 + static_cast<uint64_t>(text[i] - '0');
    if (digits == 0)
      return std::nullopt;
    for (; digits < 6; ++digits)
      micros *= 10;
  }
  int64_t offset = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    std::optional<int> oh = number(i + 1, 2), om = number(i + 4, 2);
    if (!oh || !om || i + 3 >= text.size() || text[i + 3] != ':')
      return std::nullopt;
    offset = (text[i] == '-' ? -1 : 1) * (int64_t{*oh} * 3600 + int64_t{*om} * 60);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != text.size())
    return std::nullopt;
  struct tm tm {};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  int64_t t = static_cast<int64_t>(::timegm(&tm)) - offset;
  if (t < 0)
    return std::nullopt;
  return static_cast<uint64_t>(t) * kUsecPerSec + micros;
}

std::string format_status(const StatusFacts& f, const StatusStyle& style) {
  std::string out = style.utf8 ? "\xe2\x97\x8f " : "* ";
  out.append(f.id).append(" - OCI container\n");
  add_line(out, "Status", to_string(f.status));
  if (f.pid > 0)
    add_line(out, "PID", std::to_string(f.pid));
  if (!f.bundle.empty())
    add_line(out, "Bundle", f.bundle);
  if (!f.created.empty())
    add_line(out, "Created", format_created(f.created, style.now_usec));
  if (!f.cgroup_driver.empty())
    add_line(out, "Driver", f.cgroup_driver);
  if (!f.unit.empty())
    add_line(out, "Unit", f.unit);
  std::optional<uint64_t> tasks = f.usage.tasks;
  if (!tasks && !f.processes.empty())
    tasks = f.processes.size();
  if (tasks) {
    std::string v = std::to_string(*tasks);
    if (f.usage.tasks_max)
      v += " (limit: " + std::to_string(*f.usage.tasks_max) + ")";
    add_line(out, "Tasks", v);
  }
  if (f.usage.memory) {
    std::string v = format_bytes(*f.usage.memory);
    if (f.usage.memory_max)
      v += " (max: " + format_bytes(*f.usage.memory_max) + ")";
    add_line(out, "Memory", v);
  }
  if (!f.cgroup_path.empty()) {
    add_line(out, "CGroup", f.cgroup_path);
    const std::string indent(13, ' ');
    for (size_t i = 0; i < f.processes.size(); ++i) {
      bool last = i + 1 == f.processes.size();
      const char* branch =
          style.utf8 ? (last ? "\xe2\x94\x94\xe2\x94\x80" : "\xe2\x94\x9c\xe2\x94\x80") : (last ? "`-" : "|-");
      out.append(indent).append(branch).append(std::to_string(f.processes[i].pid));
      out.append(" ").append(f.processes[i].command).append("\n");
    }
  }
  if (!f.journal.empty() || !f.journal_note.empty()) {
    out += "\n";
    for (const std::string& line : f.journal)
      out += line;
    if (f.journal.empty())
      out += f.journal_note + "\n";
  }
  return out;
}

CgroupUsage read_cgroup_usage(const std::string& mount_root, cgroups::Layout layout, const std::string& cgroup_path) {
  std::string path = cgroup_path.empty() || cgroup_path.front() != '/' ? "/" + cgroup_path : cgroup_path;
  if (path == "/")
    path.clear();
  std::vector<std::string> pids_dirs, memory_dirs;
  if (layout == cgroups::Layout::v2) {
    pids_dirs = {mount_root + path};
    memory_dirs = {mount_root + path};
  } else {
    // Hybrid hosts may have moved a controller to the unified hierarchy.
    pids_dirs = {mount_root + "/pids" + path, mount_root + "/unified" + path};
    memory_dirs = {mount_root + "/memory" + path, mount_root + "/unified" + path};
  }
  auto files = [](const std::vector<std::string>& dirs, const char* v1_name, const char* v2_name) {
    std::vector<std::string> out;
    for (const std::string& d : dirs) {
      out.push_back(d + "/" + v2_name);
      if (v1_name != nullptr)
        out.push_back(d + "/" + v1_name);
    }
    return out;
  };
  CgroupUsage u;
  u.tasks = first_of(files(pids_dirs, nullptr, "pids.current"), read_number);
  u.tasks_max = first_of(files(pids_dirs, nullptr, "pids.max"), read_limit);
  u.memory = first_of(files(memory_dirs, "memory.usage_in_bytes", "memory.current"), read_number);
  u.memory_max = first_of(files(memory_dirs, "memory.limit_in_bytes", "memory.max"), read_limit);
  return u;
}

std::optional<std::string> process_command(int pid) {
  std::string dir = "/proc/" + std::to_string(pid);
  std::optional<std::string> cmdline = read_trimmed(dir + "/cmdline", '\0');
  if (!cmdline)
    return std::nullopt;
  for (char& c : *cmdline) {
    if (c == '\0')
      c = ' ';
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '?';
  }
  if (!cmdline->empty())
    return cmdline;
  std::optional<std::string> comm = read_trimmed(dir + "/comm", '\n');
  if (!comm)
    return std::nullopt;
  return "[" + *comm + "]";
}

ContainerFacts container_facts(const ContainerState& s, ContainerStatus status) {
  ContainerFacts f;
  f.id = s.id;
  f.status = status;
  f.pid = status == ContainerStatus::stopped ? 0 : s.pid;
  f.bundle = s.bundle;
  f.rootfs = s.rootfs;
  f.created = s.created;
  f.owner = s.owner;
  f.cgroup_driver = s.cgroup_driver;
  f.unit = s.systemd_unit;
  f.machine = s.machine;
  f.cgroup_path = s.cgroup_path;
  return f;
}

util::Result<StatusFacts> gather_status(const std::string& root, const std::string& id, unsigned lines) {
  StatusFacts f;
  std::vector<int> pids;
  {
    // The lock only while reading the state and listing the cgroup: not while reading the
    // journal, which may take long on a big one.
    util::Result<Loaded> l = load_locked(root, id);
    if (!l)
      return std::move(l).error();
    const ContainerState& s = l->state;
    static_cast<ContainerFacts&>(f) = container_facts(s, l->status);
    if (util::Result<std::unique_ptr<cgroups::Driver>> driver = driver_for(s, root); driver)
      if (util::Result<std::vector<int>> got = (*driver)->pids(); got)
        pids = std::move(*got);
  }
  std::sort(pids.begin(), pids.end());
  for (int pid : pids)
    if (std::optional<std::string> command = process_command(pid))
      f.processes.push_back({pid, std::move(*command)});
  if (!f.cgroup_path.empty())
    if (util::Result<cgroups::Layout> layout = cgroups::detect_layout(); layout)
      f.usage = read_cgroup_usage("/sys/fs/cgroup", *layout, f.cgroup_path);

  if (lines > 0) {
    systemd::JournalQuery q;
    q.identifier = id;
    // This container's lines, not those of an earlier one with the same id.
    q.since_usec = parse_rfc3339_usec(f.created);
    q.last = lines;
    util::Result<systemd::JournalReadResult> read =
        host_integration().read_journal(q, [&f](const systemd::JournalEntry& e) -> util::Status {
          f.journal.push_back(systemd::format_entry(e, systemd::OutputFormat::short_line));
          return {};
        });
    if (!read)
      f.journal_note = "journal: " + read.error().message;
    else if (read->no_journal_files)
      f.journal_note = "journal: no journal files were found";
  }
  return f;
}

}  // namespace ocistart::runtime
