// libFuzzer harness for read_pgm: the input is the file. jiggle::Error is the right answer to a
// bad file; any other exception, a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "jiggle/io/pgm.hpp"
#include "memory_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static jiggle_fuzz::MemoryFile file("pgm");
  file.assign(data, size);
  try {
    const jiggle::GreyImage image = jiggle::read_pgm(file.path());
    if (image.rows == 0 || image.cols == 0 || image.rows > 4096 || image.cols > 4096) std::abort();
    if (image.pixels.size() != image.rows * image.cols) std::abort();
  } catch (const jiggle::Error&) {
  }
  return 0;
}
