// libFuzzer harness for read_idx. The first byte chooses how the rest reaches the reader: as the
// file's bytes (a plain IDX file, or a gzip stream if it starts with gzip's magic) or gzipped by
// the harness (a valid stream of fuzzed IDX content). jiggle::Error is the right answer to a bad
// file; any other exception, a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "gzip.hpp"
#include "jiggle/data/idx.hpp"
#include "memory_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static jiggle_fuzz::MemoryFile file("idx");
  const bool gzip_it = (data[0] & 1) != 0;
  if (gzip_it) {
    const std::vector<std::uint8_t> compressed = jiggle_fuzz::gzip(data + 1, size - 1);
    file.assign(compressed.data(), compressed.size());
  } else {
    file.assign(data + 1, size - 1);
  }
  try {
    const jiggle::IdxArray array = jiggle::read_idx(file.path());
    std::uint64_t count = 1;
    for (const std::size_t d : array.dimensions()) count *= d;
    if (array.dimensions().empty() || count != array.size()) std::abort();
  } catch (const jiggle::Error&) {
  }
  return 0;
}
