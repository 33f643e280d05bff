// Built by CTest, not by `all`: with JIGGLE_TEMPORARY_DATA it must fail to compile, since
// Batches read their images in place and a temporary data set is gone before the first batch.
#include "jiggle/data/batches.hpp"

jiggle::LabelledImages make_data() {
  jiggle::LabelledImages data;
  data.rows = data.cols = 2;
  data.pixels.assign(8, 0);
  data.labels = {0, 1};
  return data;
}

int main() {
#ifdef JIGGLE_TEMPORARY_DATA
  jiggle::Batches<float> batches(make_data(), 1);
#else
  const jiggle::LabelledImages data = make_data();
  jiggle::Batches<float> batches(data, 1);
#endif
  return static_cast<int>(batches.count() % 2);
}
