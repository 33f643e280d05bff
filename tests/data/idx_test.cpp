#include "jiggle/data/idx.hpp"

#include <sys/resource.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "jiggle/random.hpp"
#include "support/catch.hpp"
#include "support/idx_writer.hpp"

using jiggle_test::Bytes;
using jiggle_test::idx_header;

namespace {

template <class T>
Bytes big_endian(const std::vector<T>& values) {
  Bytes bytes;
  for (const T& value : values) {
    unsigned char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T); ++i) bytes.push_back(raw[sizeof(T) - 1 - i]);  // host is little-endian
  }
  return bytes;
}

template <class T>
std::vector<T> sample_values(std::size_t count) {
  std::vector<T> values(count);
  jiggle::Rng rng(count);
  for (auto& value : values) {
    if constexpr (std::is_floating_point_v<T>) {
      value = static_cast<T>(rng.normal() * 1e3);
    } else {
      const auto bits = rng.next();
      std::memcpy(&value, &bits, sizeof(T));  // every bit pattern, negative numbers included
    }
  }
  return values;
}

template <class T>
void check_round_trip(unsigned char type_code, jiggle::IdxType type) {
  jiggle_test::TemporaryFolder folder("idx-round-trip");
  const std::vector<std::vector<std::uint32_t>> shapes{{7}, {3, 5}, {2, 3, 4}, {2, 1, 3, 2}};
  for (const auto& shape : shapes) {
    std::size_t count = 1;
    for (auto d : shape) count *= d;
    const std::vector<T> values = sample_values<T>(count);
    Bytes bytes = idx_header(type_code, shape);
    const Bytes data = big_endian(values);
    bytes.insert(bytes.end(), data.begin(), data.end());
    jiggle_test::write_file(folder / "plain", bytes);
    jiggle_test::write_gzip(folder / "compressed", bytes);
    for (const char* name : {"plain", "compressed"}) {
      INFO(name << " file of " << shape.size() << " dimensions");
      const jiggle::IdxArray array = jiggle::read_idx(folder / name);
      REQUIRE(array.type() == type);
      REQUIRE(array.dimensions() == std::vector<std::size_t>(shape.begin(), shape.end()));
      REQUIRE(array.size() == count);
      REQUIRE(std::memcmp(array.values<T>().data(), values.data(), count * sizeof(T)) == 0);
    }
  }
}

long peak_resident_kilobytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

TEST_CASE("IDX round trip is exact for every element type, 1 to 4 dimensions, plain and gzip", "[idx]") {
  check_round_trip<std::uint8_t>(0x08, jiggle::IdxType::uint8);
  check_round_trip<std::int8_t>(0x09, jiggle::IdxType::int8);
  check_round_trip<std::int16_t>(0x0B, jiggle::IdxType::int16);
  check_round_trip<std::int32_t>(0x0C, jiggle::IdxType::int32);
  check_round_trip<float>(0x0D, jiggle::IdxType::float32);
  check_round_trip<double>(0x0E, jiggle::IdxType::float64);
}

TEST_CASE("IDX array refuses to be read as another element type", "[idx]") {
  jiggle_test::TemporaryFolder folder("idx-type");
  Bytes bytes = idx_header(0x08, {2});
  bytes.insert(bytes.end(), {1, 2});
  jiggle_test::write_file(folder / "bytes", bytes);
  const auto array = jiggle::read_idx(folder / "bytes");
  REQUIRE_THROWS_WITH(array.values<float>(), Catch::Contains("holds uint8"));
}

TEST_CASE("IDX reader rejects malformed files naming the file and the problem", "[idx]") {
  jiggle_test::TemporaryFolder folder("idx-malformed");
  const Bytes ten_bytes{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto with_data = [](Bytes header, const Bytes& data) {
    header.insert(header.end(), data.begin(), data.end());
    return header;
  };
  Bytes bad_magic = with_data(idx_header(0x08, {10}), ten_bytes);
  bad_magic[0] = 0x12;
  // 2^40 one-byte elements claimed by a file of 100 bytes.
  const Bytes huge_claim = with_data(idx_header(0x08, {1u << 20, 1u << 20}), Bytes(88, 7));
  const Bytes overflow = idx_header(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF});
  // 2^30 bytes claimed by a gzip stream that inflates to 88: no gigabyte may be allocated for it.
  const Bytes gigabyte_claim = with_data(idx_header(0x08, {1u << 15, 1u << 15}), Bytes(88, 7));

  struct Case {
    const char* what;
    Bytes bytes;
    bool gzip;
    std::string expected;
  };
  const std::vector<Case> cases{
      {"empty file", {}, false, "header is truncated: 0 bytes"},
      {"truncated magic", {0, 0, 8}, false, "header is truncated: 3 bytes"},
      {"truncated dimensions",
       {0, 0, 8, 3, 0, 0, 0, 2, 0, 0},
       false,
       "header is truncated: 3 dimensions need 16 header bytes, file has 10"},
      {"bad magic", bad_magic, false, "bad magic number: expected two zero bytes, found 0x12 0x00"},
      {"element type 0x0A", with_data(idx_header(0x0A, {10}), ten_bytes), false, "unknown element type 0x0A"},
      {"zero dimensions", {0, 0, 8, 0}, false, "header declares zero dimensions"},
      {"a dimension of 0", idx_header(0x08, {3, 0, 2}), false, "dimension 1 is 0"},
      {"dimensions overflowing 64 bits", overflow, false, "overflow 64 bits"},
      {"2^40 elements in 100 bytes", huge_claim, false,
       "header says 1048576×1048576 uint8 = 1099511627776 data bytes, file has 88"},
      {"2^40 elements in gzip", huge_claim, true, "above the gzip inflation cap"},
      {"2^30 elements in a small gzip", gigabyte_claim, true,
       "header says 32768×32768 uint8 = 1073741824 data bytes, gzip stream inflates to 88"},
      {"truncated data", with_data(idx_header(0x08, {11}), ten_bytes), false,
       "header says 11 uint8 = 11 data bytes, file has 10"},
      {"trailing bytes", with_data(idx_header(0x08, {9}), ten_bytes), false,
       "header says 9 uint8 = 9 data bytes, file has 10"},
      {"trailing bytes in gzip", with_data(idx_header(0x08, {9}), ten_bytes), true, "has more (trailing bytes)"},
      {"int32 data cut mid-element in gzip", with_data(idx_header(0x0C, {3}), ten_bytes), true,
       "header says 3 int32 = 12 data bytes, gzip stream inflates to 10"},
      {"float64 data cut short", with_data(idx_header(0x0E, {2}), ten_bytes), false,
       "header says 2 float64 = 16 data bytes, file has 10"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto path = folder / (std::string(c.what) + (c.gzip ? ".gz" : ""));
    if (c.gzip)
      jiggle_test::write_gzip(path, c.bytes);
    else
      jiggle_test::write_file(path, c.bytes);
    REQUIRE_THROWS_AS(jiggle::read_idx(path), jiggle::Error);
    REQUIRE_THROWS_WITH(jiggle::read_idx(path), Catch::StartsWith(path.string() + ": ") && Catch::Contains(c.expected));
  }
  // The hostile headers above asked for up to 2^40 bytes; none of it may have been allocated.
  REQUIRE(peak_resident_kilobytes() < 512L * 1024);
}

TEST_CASE("IDX reader rejects corrupt and cut gzip streams", "[idx]") {
  jiggle_test::TemporaryFolder folder("idx-gzip");
  Bytes bytes = idx_header(0x08, {4000});
  for (int i = 0; i < 4000; ++i) bytes.push_back(static_cast<unsigned char>((i * 7919) % 251));
  jiggle_test::write_gzip(folder / "good.gz", bytes);
  REQUIRE(jiggle::read_idx(folder / "good.gz").size() == 4000);
  const Bytes compressed = jiggle_test::read_file(folder / "good.gz");

  Bytes corrupt = compressed;
  for (std::size_t i = 20; i < 40; ++i) corrupt[i] ^= 0x5A;
  jiggle_test::write_file(folder / "corrupt.gz", corrupt);
  REQUIRE_THROWS_WITH(jiggle::read_idx(folder / "corrupt.gz"), Catch::Contains("corrupt.gz: corrupt gzip stream"));

  const Bytes cut(compressed.begin(), compressed.begin() + static_cast<std::ptrdiff_t>(compressed.size() / 2));
  jiggle_test::write_file(folder / "cut.gz", cut);
  REQUIRE_THROWS_WITH(jiggle::read_idx(folder / "cut.gz"),
                      Catch::Contains("cut.gz: truncated gzip stream (the file ends inside a member)"));

  Bytes bad_checksum = compressed;
  bad_checksum[bad_checksum.size() - 6] ^= 0xFF;  // inside the CRC-32 trailer
  jiggle_test::write_file(folder / "checksum.gz", bad_checksum);
  REQUIRE_THROWS_WITH(jiggle::read_idx(folder / "checksum.gz"),
                      Catch::Contains("checksum.gz: corrupt gzip stream (incorrect data check)"));

  // zlib's gzread would pass over bytes that follow the stream and do not look like gzip.
  for (const Bytes& tail : {Bytes{'j', 'u', 'n', 'k'}, Bytes{0}, Bytes{0x1f}}) {
    Bytes appended = compressed;
    appended.insert(appended.end(), tail.begin(), tail.end());
    jiggle_test::write_file(folder / "appended.gz", appended);
    REQUIRE_THROWS_WITH(jiggle::read_idx(folder / "appended.gz"),
                        Catch::Contains("appended.gz: bytes after the gzip stream that are not gzip"));
  }
  // A second member with nothing in it is gzip, and adds nothing.
  Bytes two_members = compressed;
  const Bytes empty_member = jiggle_test::gzip_member({});
  two_members.insert(two_members.end(), empty_member.begin(), empty_member.end());
  jiggle_test::write_file(folder / "two-members.gz", two_members);
  REQUIRE(jiggle::read_idx(folder / "two-members.gz").size() == 4000);
}

TEST_CASE("IDX reader names a missing file and a folder in a file's place", "[idx]") {
  jiggle_test::TemporaryFolder folder("idx-paths");
  REQUIRE_THROWS_WITH(jiggle::read_idx(folder / "absent"), Catch::Contains("absent: cannot open: no such file"));
  std::filesystem::create_directory(folder / "a-folder");
  REQUIRE_THROWS_WITH(jiggle::read_idx(folder / "a-folder"), Catch::Contains("a-folder: cannot open: it is a folder"));
  // A path that cannot be followed is not a missing file: the message says why.
  std::filesystem::create_symlink("loop-b", folder / "loop-a");
  std::filesystem::create_symlink("loop-a", folder / "loop-b");
  REQUIRE_THROWS_WITH(jiggle::read_idx(folder / "loop-a"),
                      Catch::Contains("loop-a: cannot open: Too many levels of symbolic links"));
}

TEST_CASE("IDX reader shows check_header the header and refuses what it refuses before reading data", "[idx]") {
  jiggle_test::TemporaryFolder folder("idx-check-header");
  Bytes bytes = idx_header(0x0B, {2, 3});
  bytes.resize(bytes.size() + 12, 0);
  jiggle_test::write_file(folder / "plain", bytes);
  jiggle_test::write_gzip(folder / "compressed", bytes);
  for (const char* name : {"plain", "compressed"}) {
    INFO(name);
    jiggle::IdxHeader seen;
    jiggle::IdxReadOptions options;
    options.check_header = [&](const jiggle::IdxHeader& header) {
      seen = header;
      return std::string();
    };
    REQUIRE(jiggle::read_idx(folder / name, options).size() == 6);
    REQUIRE(seen.type == jiggle::IdxType::int16);
    REQUIRE(seen.dimensions == std::vector<std::size_t>{2, 3});
    REQUIRE(seen.data_bytes == 12);
    options.check_header = [](const jiggle::IdxHeader&) { return std::string("expected uint8"); };
    REQUIRE_THROWS_WITH(jiggle::read_idx(folder / name, options),
                        (folder / name).string() + ": header says 2×3 int16 = 12 data bytes: expected uint8");
  }
}

TEST_CASE("IDX reader refuses a gzip stream above max_inflated_bytes before inflating it", "[idx]") {
  jiggle_test::TemporaryFolder folder("idx-cap");
  Bytes bytes = idx_header(0x08, {4096});
  bytes.resize(bytes.size() + 4096, 1);
  jiggle_test::write_gzip(folder / "compressed", bytes);
  jiggle::IdxReadOptions options;
  options.max_inflated_bytes = 4096;
  REQUIRE(jiggle::read_idx(folder / "compressed", options).size() == 4096);
  options.max_inflated_bytes = 4095;
  REQUIRE_THROWS_WITH(
      jiggle::read_idx(folder / "compressed", options),
      Catch::Contains("header says 4096 uint8 = 4096 data bytes, above the gzip inflation cap of 4095"));
}
