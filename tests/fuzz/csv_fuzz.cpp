// libFuzzer harness for the CSV readers. The first byte chooses the reader (class labels or real
// targets), whether a header line is skipped and how many target columns there are; the rest is
// the file. Data the reader accepts must keep its promises: at least one sample, every value
// finite, every label from 0, features and targets as many as the samples need. jiggle::Error is
// the right answer to a bad file; any other exception, a broken promise, a crash or a sanitizer
// report is a finding.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "jiggle/data/csv.hpp"
#include "memory_file.hpp"

namespace {

template <class Data>
void check_promises(const Data& data) {
  if (data.size() == 0 || data.sample_shape().size() < 1) std::abort();
  for (std::size_t sample = 0; sample < data.size(); ++sample) {
    for (const float value : data.features(sample))
      if (!std::isfinite(value)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static jiggle_fuzz::MemoryFile file("csv");
  file.assign(data + 1, size - 1);
  const bool labels = (data[0] & 1) != 0;
  const jiggle::CsvOptions options{.header = (data[0] & 2) != 0, .target_columns = labels ? 1 : 1 + (data[0] >> 2) % 3};
  try {
    if (labels) {
      check_promises(jiggle::read_csv_classification(file.path(), options));
    } else {
      check_promises(jiggle::read_csv_regression(file.path(), options));
    }
  } catch (const jiggle::Error&) {
  }
  return 0;
}
