// Times spec::parse_config on (a) the runc default spec and (b) a generated config of about
// 1 MiB (many mounts, env entries, annotations and seccomp syscalls). For each, prints the
// median and fastest wall time per parse, the median thread CPU time and the throughput at
// that median, next to simdjson's DOM parse alone on the same text (the part of the cost
// that is not ocistart's).
//
//   parse_bench [runc-spec.json] [--iterations N]
// Run it from the source tree, or pass the path of tests/data/configs/valid/runc-spec.json.
#include <simdjson.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "spec/parse.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A config.json that an engine could plausibly write, scaled up until it is `target` bytes.
std::string generate_config(std::size_t target) {
  std::string j = R"({"ociVersion": "1.2.0", "root": {"path": "rootfs", "readonly": true},)";
  j += R"("hostname": "bench", "process": {"terminal": false, "cwd": "/",)";
  j += R"("user": {"uid": 1000, "gid": 1000, "additionalGids": [1, 2, 3]},)";
  j += R"("args": ["/usr/bin/server", "--config", "/etc/server.conf"],)";
  j += R"("capabilities": {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"]},)";
  j += R"("rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 4096}], "env": [)";
  const std::size_t env = target / 64 / 8;
  const std::size_t mounts = target / 160 / 4;
  const std::size_t annotations = target / 80 / 4;
  const std::size_t syscalls = target / 150 / 4;
  for (std::size_t i = 0; i < env; ++i)
    j += (i ? ",\"" : "\"") + std::string("BENCH_VARIABLE_") + std::to_string(i) + "=/some/value/of/moderate/length/" +
         std::to_string(i * 7919) + "\"";
  j += R"(]}, "mounts": [)";
  for (std::size_t i = 0; i < mounts; ++i)
    j += std::string(i ? "," : "") + R"({"destination": "/data/volume)" + std::to_string(i) +
         R"(", "type": "bind", "source": "/srv/volumes/volume)" + std::to_string(i) +
         R"(", "options": ["rbind", "ro", "nosuid", "nodev"]})";
  j += R"(], "annotations": {)";
  for (std::size_t i = 0; i < annotations; ++i)
    j += std::string(i ? "," : "") + R"("io.example.bench/annotation-)" + std::to_string(i) +
         R"(": "value of annotation number )" + std::to_string(i) + "\"";
  j += R"(}, "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"},)";
  j += R"({"type": "uts"}, {"type": "network"}], "resources": {"memory": {"limit": 536870912},)";
  j += R"("cpu": {"quota": -1, "period": 100000}, "pids": {"limit": 1024}},)";
  j += R"("seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,)";
  j += R"("architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [)";
  for (std::size_t i = 0; i < syscalls; ++i)
    j += std::string(i ? "," : "") + R"({"names": ["syscall_)" + std::to_string(i) + R"(", "other_)" +
         std::to_string(i) + R"("], "action": "SCMP_ACT_ALLOW", "args": [)" + R"({"index": 0, "value": )" +
         std::to_string(i) + R"(, "op": "SCMP_CMP_EQ"}]})";
  j += "]}}}";
  return j;
}

// Wall time is what a caller sees, but on a loaded machine it includes time slices given
// to other processes; thread CPU time does not, so both are reported.
double thread_cpu_us() {
  timespec ts{};
  (void)::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Timing {
  double median_us = 0;      // wall
  double min_us = 0;         // wall
  double median_cpu_us = 0;  // thread CPU time
};

Timing time_runs(int iterations, const std::function<bool()>& run) {
  for (int i = 0; i < std::max(3, iterations / 20); ++i)  // warm caches and the allocator
    if (!run())
      std::exit(1);
  std::vector<double> wall, cpu;
  wall.reserve(static_cast<std::size_t>(iterations));
  cpu.reserve(static_cast<std::size_t>(iterations));
  for (int i = 0; i < iterations; ++i) {
    double cpu_start = thread_cpu_us();
    Clock::time_point start = Clock::now();
    bool ok = run();
    Clock::time_point end = Clock::now();
    double cpu_end = thread_cpu_us();
    if (!ok)
      std::exit(1);
    wall.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    cpu.push_back(cpu_end - cpu_start);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return Timing{wall[wall.size() / 2], wall.front(), cpu[cpu.size() / 2]};
}

void print_line(const char* name, const Timing& t, std::size_t bytes) {
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf("  %-19s median %9.2f us  min %9.2f us  cpu median %9.2f us  %7.1f MB/s\n", name, t.median_us, t.min_us,
              t.median_cpu_us, mb / (t.median_cpu_us / 1e6));
}

void report(const char* what, const std::string& text, int iterations) {
  {
    ocistart::util::Result<ocistart::spec::Config> check = ocistart::spec::parse_config(text);
    if (!check) {
      std::fprintf(stderr, "parse_bench: %s: %s\n", what, check.error().message.c_str());
      std::exit(1);
    }
  }
  Timing full = time_runs(iterations, [&] { return ocistart::spec::parse_config(text).ok(); });
  Timing dom = time_runs(iterations, [&] {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    return parser.parse(text.data(), text.size()).get(root) == simdjson::SUCCESS;
  });
  std::printf("%s: %zu bytes, %d runs (MB/s at the CPU-time median)\n", what, text.size(), iterations);
  print_line("parse_config", full, text.size());
  print_line("simdjson DOM only", dom, text.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::string spec_path = "tests/data/configs/valid/runc-spec.json";
  int iterations = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--iterations" && i + 1 < argc)
      iterations = std::atoi(argv[++i]);
    else
      spec_path = arg;
  }
  std::string runc = read_text(spec_path);
  if (runc.empty()) {
    std::fprintf(stderr, "parse_bench: cannot read `%s`; pass the path of runc-spec.json\n", spec_path.c_str());
    return 2;
  }
  const std::size_t mib = 1 << 20;
  std::string big = generate_config(mib);
  big = generate_config(mib * mib / big.size());  // the counts scale linearly with size
  report("runc spec", runc, iterations > 0 ? iterations : 20000);
  report("generated ~1 MiB", big, iterations > 0 ? std::max(1, iterations / 100) : 300);
  return 0;
}
