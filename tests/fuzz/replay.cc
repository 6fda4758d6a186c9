// Runs the fuzz target once over each file named on the command line, or each regular
// file of each directory named, so that a build without libFuzzer (gcc, the normal build)
// still checks the seed corpus and every crash input kept beside it. A crash aborts this
// process like the fuzzer's own run; otherwise prints how many inputs ran and exits 0.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool run_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read `%s`\n", path.c_str());
    return false;
  }
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // libFuzzer never passes a null pointer, even for an empty input.
  static const uint8_t kEmpty = 0;
  const uint8_t* data = bytes.empty() ? &kEmpty : reinterpret_cast<const uint8_t*>(bytes.data());
  (void)LLVMFuzzerTestOneInput(data, bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  std::size_t ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    fs::path arg(argv[i]);
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) {
      if (run_file(arg))
        ++ran;
      else
        ok = false;
      continue;
    }
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(arg, ec))
      if (e.is_regular_file())
        files.push_back(e.path());
    if (ec) {
      std::fprintf(stderr, "replay: cannot list `%s`: %s\n", arg.c_str(), ec.message().c_str());
      return 1;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      if (!run_file(f))
        ok = false;
      else
        ++ran;
    }
  }
  std::printf("replay: %zu inputs ran, no crash\n", ran);
  return ok ? 0 : 1;
}
