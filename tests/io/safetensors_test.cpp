#include "jiggle/io/safetensors.hpp"

#include <cstring>
#include <limits>
#include <string>

#include "jiggle/checkpoint.hpp"
#include "jiggle/models/mnist_mlp.hpp"
#include "support/catch.hpp"
#include "support/idx_writer.hpp"

using jiggle_test::Bytes;

namespace {

using SmallMlp = jiggle::Chain<jiggle::Dense<3, 2>, jiggle::ReLU<>, jiggle::Dense<2, 2>>;

std::string header_of(const Bytes& file) {
  std::uint64_t length = 0;
  std::memcpy(&length, file.data(), 8);
  return {reinterpret_cast<const char*>(file.data()) + 8, static_cast<std::size_t>(length)};
}

// A file written by hand: header text as given, then `data_bytes` bytes of data.
void write_safetensors(const std::filesystem::path& path, const std::string& header, std::size_t data_bytes) {
  Bytes file(8 + header.size() + data_bytes, 0);
  const std::uint64_t length = header.size();
  std::memcpy(file.data(), &length, 8);
  std::memcpy(file.data() + 8, header.data(), header.size());
  jiggle_test::write_file(path, file);
}

}  // namespace

TEST_CASE("safetensors round trip of the flagship MLP is bit-exact", "[safetensors]") {
  jiggle_test::TemporaryFolder folder("safetensors-round-trip");
  jiggle::Rng rng(1), other_rng(2);
  jiggle::MnistMlp<> saved(rng);
  jiggle::MnistMlp<> loaded(other_rng);
  jiggle::save_safetensors(saved, folder / "mlp.safetensors");
  jiggle::load_safetensors(loaded, folder / "mlp.safetensors");
  REQUIRE(loaded.layer<0>().W == saved.layer<0>().W);
  REQUIRE(loaded.layer<0>().b == saved.layer<0>().b);
  REQUIRE(loaded.layer<2>().W == saved.layer<2>().W);
  REQUIRE(loaded.layer<4>().W == saved.layer<4>().W);
  REQUIRE(loaded.layer<4>().b == saved.layer<4>().b);
  REQUIRE(std::filesystem::file_size(folder / "mlp.safetensors") % 4 == 0);
  REQUIRE_FALSE(std::filesystem::exists(folder.path().string() + "/mlp.safetensors.tmp-" + std::to_string(::getpid())));
}

TEST_CASE("safetensors writes nn.Linear's names, shapes and row-major layout", "[safetensors]") {
  jiggle_test::TemporaryFolder folder("safetensors-layout");
  jiggle::Rng rng(1);
  SmallMlp model(rng);
  model.layer<0>().W << 1, 2, 3, 4, 5, 6;  // row-major on disk: 1 2 3 4 5 6
  model.layer<0>().b << 7, 8;
  jiggle::save_safetensors(model, folder / "small.safetensors");
  const Bytes file = jiggle_test::read_file(folder / "small.safetensors");
  const std::string header = header_of(file);
  REQUIRE(header.size() % 8 == 0);
  const jiggle::JsonValue root = jiggle::parse_json(header);
  const jiggle::JsonValue* weight = root.find("layers.0.weight");
  REQUIRE(weight != nullptr);
  REQUIRE(weight->find("dtype")->text == "F32");
  REQUIRE(weight->find("shape")->items.size() == 2);
  REQUIRE(weight->find("shape")->items[0].number == 2);
  REQUIRE(weight->find("shape")->items[1].number == 3);
  REQUIRE(root.find("layers.0.bias")->find("shape")->items.size() == 1);
  REQUIRE(root.find("layers.2.weight") != nullptr);
  REQUIRE(root.find("layers.2.bias") != nullptr);
  const auto begin = static_cast<std::size_t>(weight->find("data_offsets")->items[0].number);
  float values[6];
  std::memcpy(values, file.data() + 8 + header.size() + begin, sizeof(values));
  REQUIRE(values[0] == 1.0f);
  REQUIRE(values[1] == 2.0f);
  REQUIRE(values[3] == 4.0f);
  REQUIRE(values[5] == 6.0f);
}

TEST_CASE("safetensors rejects bad files with a clear error and leaves the model unchanged", "[safetensors]") {
  jiggle_test::TemporaryFolder folder("safetensors-bad");
  jiggle::Rng rng(1);
  SmallMlp model(rng);
  const jiggle::Matrix<float> before = model.layer<0>().W;
  const std::string good_entries = R"("layers.0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},)"
                                   R"("layers.2.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[32,48]},)"
                                   R"("layers.2.bias":{"dtype":"F32","shape":[2],"data_offsets":[48,56]})";
  struct Case {
    const char* what;
    std::string header;
    std::size_t data_bytes;
    std::string expected;
  };
  const std::vector<Case> cases{
      {"wrong shape", R"({"layers.0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},)" + good_entries + "}",
       56, "layers.0.weight has shape [3, 2], expected [2, 3]"},
      {"wrong dtype", R"({"layers.0.weight":{"dtype":"I32","shape":[2,3],"data_offsets":[0,24]},)" + good_entries + "}",
       56, "layers.0.weight has dtype I32, expected F32"},
      {"dtype and byte range disagree",
       R"({"layers.0.weight":{"dtype":"F64","shape":[2,3],"data_offsets":[0,24]},)" + good_entries + "}", 56,
       "layers.0.weight has data_offsets [0, 24], which must span the 48 bytes of its dtype and shape"},
      {"truncated data",
       R"({"layers.0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)" + good_entries + "}", 40,
       "layers.2.weight has data_offsets [32, 48], past the 40 bytes of data after the header: the file is cut off"},
      {"overlapping tensors",
       R"({"layers.0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]},)" + good_entries + "}", 56,
       "tensors overlap"},
      {"fractional offset",
       R"({"layers.0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0.5,24.5]},)" + good_entries + "}", 56,
       "layers.0.weight data_offsets: expected a whole number from 0 to 18446744073709551615, found 0.5"},
      {"offset beyond 2^63",
       R"({"layers.0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,9223372036854775808]},)" + good_entries +
           "}",
       56, "has data_offsets [0, 9223372036854775808], past the 56 bytes"},
      {"shape entry beyond 2^64",
       R"({"layers.0.weight":{"dtype":"F32","shape":[18446744073709551616,3],"data_offsets":[0,24]},)" + good_entries +
           "}",
       56, "layers.0.weight shape: expected a whole number from 0 to 18446744073709551615, found 18446744073709551616"},
      {"shape larger than the data",
       R"({"layers.0.weight":{"dtype":"F32","shape":[56,56],"data_offsets":[0,24]},)" + good_entries + "}", 56,
       "layers.0.weight has shape [56]..., past the 56 bytes of data after the header"},
      {"cut off after its header",
       R"({"layers.0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)" + good_entries + "}", 0,
       "layers.0.weight has shape [2]..., past the 0 bytes of data after the header: the file is cut off, or its "
       "header is wrong"},
      {"bad header", "{\"layers.0.weight\": [1, 2", 0, "bad header: JSON"},
      {"missing tensor",
       R"({"layers.0.weights":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)" + good_entries + "}", 56,
       "no tensor layers.0.weight"},
      {"bytes after the last tensor",
       R"({"layers.0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)" + good_entries + "}", 60,
       "4 bytes after the last tensor's data belong to no tensor"},
      {"bytes between tensors",
       R"({"layers.0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)" + good_entries +
           R"(,"layers.9.bias":{"dtype":"F32","shape":[1],"data_offsets":[60,64]}})",
       64, "bytes [56, 60) of the data belong to no tensor"},
      {"bytes before the first tensor", "{" + good_entries + "}", 56, "bytes [0, 24) of the data belong to no tensor"},
      {"extra tensor",
       R"({"layers.0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)" + good_entries +
           R"(,"layers.9.bias":{"dtype":"F32","shape":[1],"data_offsets":[56,60]}})",
       60, "holds a tensor layers.9.bias that the model does not have"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    write_safetensors(folder / "bad.safetensors", c.header, c.data_bytes);
    REQUIRE_THROWS_WITH(jiggle::load_safetensors(model, folder / "bad.safetensors"),
                        Catch::Contains("bad.safetensors: ") && Catch::Contains(c.expected));
    REQUIRE(model.layer<0>().W == before);
  }
  Bytes huge_length(16, 0xFF);
  jiggle_test::write_file(folder / "huge.safetensors", huge_length);
  REQUIRE_THROWS_WITH(jiggle::load_safetensors(model, folder / "huge.safetensors"),
                      Catch::Contains("does not fit a file of 16 bytes"));
  jiggle_test::write_file(folder / "short.safetensors", Bytes(5, 0));
  REQUIRE_THROWS_WITH(jiggle::load_safetensors(model, folder / "short.safetensors"), Catch::Contains("too short"));
  REQUIRE_THROWS_WITH(jiggle::load_safetensors(model, folder / "absent.safetensors"), Catch::Contains("cannot open"));
}

TEST_CASE("safetensors refuses non-finite weights and leaves the model unchanged", "[safetensors]") {
  jiggle_test::TemporaryFolder folder("safetensors-nan");
  jiggle::Rng rng(2);
  SmallMlp model(rng);
  model.layer<2>().b(1) = std::numeric_limits<float>::quiet_NaN();
  jiggle::save_safetensors(model, folder / "nan.safetensors");
  jiggle::Rng other_rng(3);
  SmallMlp loaded(other_rng);
  const jiggle::Matrix<float> before = loaded.layer<0>().W;
  REQUIRE_THROWS_WITH(jiggle::load_safetensors(loaded, folder / "nan.safetensors"),
                      Catch::Contains("layers.2.bias holds a non-finite value (nan) at index 1"));
  REQUIRE(loaded.layer<0>().W == before);
}

TEST_CASE("safetensors keeps metadata as strings and a training state's optimiser tensors load as weights",
          "[safetensors]") {
  jiggle_test::TemporaryFolder folder("safetensors-metadata");
  jiggle::Rng rng(4);
  SmallMlp model(rng);
  jiggle::save_safetensors(model, folder / "m.safetensors", {{"recipe", "mlp \"sgd\""}, {"step", "12"}});
  const jiggle::SafetensorsFile file(folder / "m.safetensors");
  REQUIRE(file.metadata().at("recipe") == "mlp \"sgd\"");
  REQUIRE(file.metadata().at("step") == "12");
  REQUIRE(file.metadata().at("format") == "pt");
  REQUIRE(file.entries().size() == 4);

  // The reader refuses strings that are not UTF-8, so the writer must not write them.
  REQUIRE_THROWS_WITH(jiggle::save_safetensors(model, folder / "latin1.safetensors", {{"note", "caf\xE9"}}),
                      Catch::Contains("latin1.safetensors: the metadata value of \"note\": JSON: cannot write a string "
                                      "that is not valid UTF-8 (byte 3)"));
  REQUIRE_FALSE(std::filesystem::exists(folder / "latin1.safetensors"));
}

TEST_CASE("safetensors refuses to write over something that is not a regular file", "[safetensors]") {
  jiggle_test::TemporaryFolder folder("safetensors-destination");
  jiggle::Rng rng(5);
  SmallMlp model(rng);
  std::filesystem::create_directory(folder / "a-folder");
  REQUIRE_THROWS_WITH(jiggle::save_safetensors(model, folder / "a-folder"), Catch::Contains("not a regular file"));
  REQUIRE(std::filesystem::is_directory(folder / "a-folder"));
}
