#include "jiggle/data/cifar10.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/catch.hpp"
#include "support/cifar_files.hpp"
#include "support/idx_writer.hpp"

namespace fs = std::filesystem;

TEST_CASE("CIFAR-10 loads five training files and a test file, each record's label and CHW pixels", "[cifar10]") {
  jiggle_test::TemporaryFolder folder("cifar10-load");
  test_support::write_cifar_folder(folder.path(), 4, 3);
  const jiggle::Cifar10 data = jiggle::load_cifar10(folder.path());
  REQUIRE(data.train.size() == 20);
  REQUIRE(data.test.size() == 3);
  REQUIRE(data.train.sample_shape() == jiggle::Shape{3, 32, 32});
  REQUIRE_NOTHROW(data.train.require_consistent());
  // The third training file's second record, byte for byte.
  const auto third = jiggle_test::read_file(folder / "data_batch_3.bin");
  REQUIRE(data.train.labels[9] == third[3073]);
  REQUIRE(std::vector<std::uint8_t>(data.train.image(9), data.train.image(9) + 3072) ==
          std::vector<std::uint8_t>(third.begin() + 3074, third.begin() + 2 * 3073));
  // The folder the archive unpacks into is found inside the one given.
  jiggle_test::TemporaryFolder outer("cifar10-outer");
  test_support::write_cifar_folder(outer / "cifar-10-batches-bin", 1, 2);
  REQUIRE(jiggle::load_cifar10(outer.path()).test.size() == 2);
}

TEST_CASE("CIFAR-10 files are read strictly, each refusal naming the file and the record", "[cifar10]") {
  jiggle_test::TemporaryFolder folder("cifar10-strict");
  const fs::path file = folder / "test_batch.bin";
  const auto read = [&] {
    jiggle::LabelledImages images;
    jiggle::read_cifar10_file(file, images);
    return images;
  };
  auto records = test_support::learnable_cifar_records(3, 1);
  records[2 * 3073] = 10;
  jiggle_test::write_file(file, records);
  REQUIRE_THROWS_WITH(read(), Catch::Contains("test_batch.bin: record 2 has the label 10, not a class 0-9"));
  records.resize(3073 + 100);
  jiggle_test::write_file(file, records);
  REQUIRE_THROWS_WITH(read(), Catch::Contains("test_batch.bin: is 3173 bytes, not a whole number of 3,073-byte "
                                              "records: record 1 is cut off after 100 bytes"));
  jiggle_test::write_file(file, {});
  REQUIRE_THROWS_WITH(read(), Catch::Contains("test_batch.bin: is empty"));
  // A file larger than any CIFAR-10 batch is refused from its size, before anything is read.
  jiggle_test::write_file(file, {});
  fs::resize_file(file, 10001 * 3073);
  REQUIRE_THROWS_WITH(read(), Catch::Contains("more than the 10,000 records"));
  fs::remove(file);
  REQUIRE_THROWS_WITH(read(), Catch::Contains("test_batch.bin: missing") && Catch::Contains("data_batch_1.bin"));
  fs::create_directory(file);
  REQUIRE_THROWS_WITH(read(), Catch::Contains("test_batch.bin: is not a regular file"));
  REQUIRE_THROWS_WITH(jiggle::load_cifar10(folder / "nowhere"), Catch::Contains("does not exist"));
  REQUIRE_THROWS_WITH(jiggle::load_cifar10(folder.path()), Catch::Contains("data_batch_1.bin: missing"));
}
