#include "jiggle/io/pgm.hpp"

#include <string>

#include "support/catch.hpp"
#include "support/idx_writer.hpp"

namespace {
void write_text(const std::filesystem::path& path, const std::string& text) {
  jiggle_test::write_file(path, jiggle_test::Bytes(text.begin(), text.end()));
}
}  // namespace

TEST_CASE("PGM reads plain and raw greymaps, scaling to 0-255", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm");
  write_text(folder / "plain.pgm", "P2\n# a comment\n3 2\n15\n0 15 5\n10 0 15\n");
  const auto plain = jiggle::read_pgm(folder / "plain.pgm");
  REQUIRE(plain.cols == 3);
  REQUIRE(plain.rows == 2);
  REQUIRE(plain.pixels == std::vector<std::uint8_t>{0, 255, 85, 170, 0, 255});
  write_text(folder / "raw.pgm", std::string("P5 2 2 255\n") + '\x00' + '\x7f' + '\x80' + '\xff');
  REQUIRE(jiggle::read_pgm(folder / "raw.pgm").pixels == std::vector<std::uint8_t>{0, 127, 128, 255});
}

TEST_CASE("PGM rejects what is not a greymap", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm-bad");
  write_text(folder / "ppm.pgm", "P6 1 1 255\nabc");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "ppm.pgm"), Catch::Contains("not a PGM file"));
  write_text(folder / "short.pgm", "P5 28 28 255\nabc");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "short.pgm"), Catch::Contains("raster is truncated"));
  write_text(folder / "over.pgm", "P2 1 1 10 11");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "over.pgm"), Catch::Contains("exceeds the maximum"));
  write_text(folder / "huge.pgm", "P5 100000 100000 255\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "huge.pgm"), Catch::Contains("out of range"));
}
