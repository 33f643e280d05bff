// libFuzzer harness for read_cifar10_file: the input is the file. A file it accepts must keep its
// promises: whole records, 3×32×32 images, one label 0-9 per image. jiggle::Error is the right
// answer to a bad file; any other exception, a broken promise, a crash or a sanitizer report is
// a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "jiggle/data/cifar10.hpp"
#include "memory_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static jiggle_fuzz::MemoryFile file("cifar10");
  file.assign(data, size);
  try {
    jiggle::LabelledImages images;
    jiggle::read_cifar10_file(file.path(), images);
    images.require_consistent();
    if (images.size() * 3073 != size || images.sample_shape() != jiggle::Shape{3, 32, 32}) std::abort();
    for (const std::uint8_t label : images.labels)
      if (label > 9) std::abort();
  } catch (const jiggle::Error&) {
  }
  return 0;
}
