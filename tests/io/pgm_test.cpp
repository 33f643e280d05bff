#include "jiggle/io/pgm.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "jiggle/train/peak_memory.hpp"
#include "support/catch.hpp"
#include "support/idx_writer.hpp"

using jiggle_test::write_text;

TEST_CASE("PGM reads plain and raw greymaps, scaling to 0-255", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm");
  write_text(folder / "plain.pgm", "P2\n# a comment\n3 2\n15\n0 15 5\n10 0 15\n");
  const auto plain = jiggle::read_pgm(folder / "plain.pgm");
  REQUIRE(plain.cols == 3);
  REQUIRE(plain.rows == 2);
  REQUIRE(plain.pixels == std::vector<std::uint8_t>{0, 255, 85, 170, 0, 255});
  write_text(folder / "raw.pgm", std::string("P5 2 2 255\n") + '\x00' + '\x7f' + '\x80' + '\xff');
  REQUIRE(jiggle::read_pgm(folder / "raw.pgm").pixels == std::vector<std::uint8_t>{0, 127, 128, 255});
  write_text(folder / "raw16.pgm", std::string("P5\n#16 bits\n2 1 65535\n") + '\xff' + '\xff' + '\x80' + '\x00');
  REQUIRE(jiggle::read_pgm(folder / "raw16.pgm").pixels == std::vector<std::uint8_t>{255, 128});
}

TEST_CASE("PGM rejects what is not a greymap", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm-bad");
  write_text(folder / "ppm.pgm", "P6 1 1 255\nabc");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "ppm.pgm"), Catch::Contains("not a PGM file"));
  write_text(folder / "glued.pgm", "P528 28 255\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "glued.pgm"), Catch::Contains("no whitespace after the magic"));
  write_text(folder / "short.pgm", "P5 28 28 255\nabc");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "short.pgm"),
                      Catch::Contains("raster is truncated: 784 bytes expected for 28x28 pixels"));
  write_text(folder / "over.pgm", "P2 1 1 10 11");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "over.pgm"), Catch::Contains("exceeds the maximum"));
  write_text(folder / "huge.pgm", "P5 100000 100000 255\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "huge.pgm"), Catch::Contains("size 100000x100000 is out of range"));
  write_text(folder / "maxval.pgm", "P5 1 1 65536\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "maxval.pgm"), Catch::Contains("maximum value 65536 is out of range"));
}

TEST_CASE("PGM rejects a width of twenty digits without reading on", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm-wide");
  write_text(folder / "wide.pgm", "P5 99999999999999999999 1 255\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "wide.pgm"),
                      Catch::Contains("wide.pgm: a width of more than 9 digits is out of range"));
}

TEST_CASE("PGM rejects a plain raster with too few pixels", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm-few");
  write_text(folder / "few.pgm", "P2 2 2 255\n1 2 3\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "few.pgm"), Catch::Contains("file ends before a pixel value"));
  write_text(folder / "comment.pgm", "P2 2 1 255\n1 # no comments in the raster\n2\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "comment.pgm"), Catch::Contains("expected a pixel value"));
}

TEST_CASE("PGM allows trailing whitespace but no data after the raster", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm-trailing");
  write_text(folder / "newline.pgm", std::string("P5 1 1 255\n") + '\x07' + "\n");
  REQUIRE(jiggle::read_pgm(folder / "newline.pgm").pixels == std::vector<std::uint8_t>{7});
  write_text(folder / "two.pgm", std::string("P5 1 1 255\n") + '\x07' + "P5 1 1 255\n" + '\x08');
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "two.pgm"), Catch::Contains("unexpected data after the 1x1 raster"));
  write_text(folder / "plain.pgm", "P2 1 1 255 7 8\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "plain.pgm"), Catch::Contains("unexpected data after the 1x1 raster"));
  write_text(folder / "spaces.pgm", "P2 1 1 255 7" + std::string(100000, ' '));
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "spaces.pgm"), Catch::Contains("bytes after the raster"));
}

TEST_CASE("PGM stops at its caps: an endless header comment, a padded plain raster", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm-caps");
  write_text(folder / "comment.pgm", "P5\n#" + std::string(1 << 20, 'c') + "\n1 1 255\n\x01");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "comment.pgm"), Catch::Contains("header is longer than 65536 bytes"));
  write_text(folder / "padded.pgm", "P2 1 1 255\n" + std::string(100000, ' ') + "1\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "padded.pgm"),
                      Catch::Contains("plain raster of 1x1 pixels is longer than 8 bytes"));
}

TEST_CASE("PGM refuses /dev/zero at once, without reading it all", "[pgm]") {
  const long long memory_before = jiggle::peak_resident_bytes();
  const auto started = std::chrono::steady_clock::now();
  REQUIRE_THROWS_WITH(jiggle::read_pgm("/dev/zero"), Catch::Contains("/dev/zero: not a PGM file"));
  REQUIRE(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
  REQUIRE(jiggle::peak_resident_bytes() < memory_before + (std::int64_t{16} << 20));
}

TEST_CASE("PGM allocates for the pixels that arrive, not for the size its header claims", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm-claims");
  const long long memory_before = jiggle::peak_resident_bytes();
  // 4096×4096 pixels of two bytes: 32 MiB of raster and 16 MiB of pixels, were they believed.
  write_text(folder / "raw.pgm", "P5 4096 4096 65535\n\x01\x02");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "raw.pgm"),
                      Catch::Contains("raster is truncated: 33554432 bytes expected for 4096x4096 pixels"));
  write_text(folder / "plain.pgm", "P2 4096 4096 65535\n1 2 3\n");
  REQUIRE_THROWS_WITH(jiggle::read_pgm(folder / "plain.pgm"), Catch::Contains("file ends before a pixel value"));
  REQUIRE(jiggle::peak_resident_bytes() < memory_before + (std::int64_t{8} << 20));
}

TEST_CASE("PGM stops reading a FIFO that streams a comment forever", "[pgm]") {
  jiggle_test::TemporaryFolder folder("pgm-fifo");
  const auto fifo = folder / "endless.pgm";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // The writer stops when the reader closes its end; with SIGPIPE blocked in the writer's thread
  // the write fails with EPIPE instead of ending the test program.
  std::thread writer([&] {
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    const std::string start = "P5 # ";
    const std::string more(4096, 'c');
    bool open = ::write(fd, start.data(), start.size()) > 0;
    while (open) open = ::write(fd, more.data(), more.size()) > 0;
    ::close(fd);
  });
  REQUIRE_THROWS_WITH(jiggle::read_pgm(fifo), Catch::Contains("header is longer than 65536 bytes"));
  writer.join();
}
