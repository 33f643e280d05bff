#pragma once
// Netpbm greymaps (PGM), plain (P2) or raw (P5), read into uint8 pixels scaled to 0–255.
//
// The file may be anything a user names (/dev/zero, a FIFO that never ends, a huge file), so
// every read is bounded before it happens: the header by kMaxHeaderBytes, the raster by what the
// header's size allows, and what follows the raster by kMaxTrailingBytes. Nothing is read beyond
// those bounds, whatever the input, and memory grows only as pixels arrive: a 20-byte header
// that claims 4096×4096 pixels costs no more than its 20 bytes.
//
// One image per file: after the raster only whitespace may follow. Netpbm allows several images
// one after another in a file, but a reader of one would silently ignore the rest, and a file with
// bytes after its raster is more likely damaged (or of the wrong size) than a deliberate sequence.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "jiggle/error.hpp"

namespace jiggle {

struct GreyImage {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::uint8_t> pixels;  // row-major
};

namespace pgm_detail {

// A header is "P5 28 28 255" and perhaps a comment line or two: 64 KiB is room for any honest
// one and a quick stop for a stream of comments that never ends.
inline constexpr std::size_t kMaxHeaderBytes = std::size_t{64} << 10;
inline constexpr std::size_t kMaxSide = 4096;
inline constexpr std::size_t kMaxValue = 65535;
// A plain pixel is at most 5 digits (the maximum value is at most 65535) and a separator; allow
// 8 bytes per pixel for padded columns and CRLF line ends.
inline constexpr std::size_t kMaxPlainBytesPerPixel = 8;
inline constexpr std::size_t kMaxTrailingBytes = std::size_t{64} << 10;
inline constexpr int kMaxDigits = 9;
inline constexpr std::size_t kRasterChunkBytes = std::size_t{64} << 10;

inline bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
inline bool is_digit(int c) { return c >= '0' && c <= '9'; }

inline std::string describe_byte(int c) {
  if (c > ' ' && c < 127) return std::string("'") + static_cast<char>(c) + "'";
  constexpr char hex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + hex[(c >> 4) & 0xF] + hex[c & 0xF];
}

// Reads a stream byte by byte (the stream buffers) and refuses to read past a limit that each
// part of the file sets for itself.
class BoundedReader {
 public:
  explicit BoundedReader(const std::filesystem::path& path) : path_(path), in_(path, std::ios::binary) {
    if (!in_) fail("cannot open");
  }

  [[noreturn]] void fail(const std::string& problem) const { throw Error(path_.string() + ": " + problem); }

  void limit_to(std::size_t more_bytes, std::string problem_past_limit) {
    limit_ = consumed_ + more_bytes;
    problem_past_limit_ = std::move(problem_past_limit);
  }

  // The next byte without taking it, or -1 at the end of the file. Only get() and read() count
  // against the limit: looking at the byte after the last one allowed is how a reader sees that
  // a number has ended.
  int peek() {
    const int c = in_.peek();
    if (c == std::char_traits<char>::eof()) {
      if (in_.bad()) fail("read error");
      return -1;
    }
    return c;
  }

  int get() {
    const int c = peek();
    if (c >= 0) {
      if (consumed_ >= limit_) fail(problem_past_limit_);
      in_.get();
      ++consumed_;
    }
    return c;
  }

  // Reads up to `count` bytes, fewer only at the end of the file.
  std::size_t read(unsigned char* destination, std::size_t count) {
    if (count > limit_ - consumed_) fail(problem_past_limit_);
    in_.read(reinterpret_cast<char*>(destination), static_cast<std::streamsize>(count));
    if (in_.bad()) fail("read error");
    const auto got = static_cast<std::size_t>(in_.gcount());
    consumed_ += got;
    return got;
  }

 private:
  std::filesystem::path path_;
  std::ifstream in_;
  std::size_t consumed_ = 0;
  std::size_t limit_ = 0;
  std::string problem_past_limit_;
};

// Whitespace and, in the header only, comments from '#' to the end of the line.
inline void skip_space(BoundedReader& in, bool comments) {
  while (true) {
    const int c = in.peek();
    if (is_space(c)) {
      in.get();
    } else if (comments && c == '#') {
      while (in.peek() >= 0 && in.peek() != '\n' && in.peek() != '\r') in.get();
    } else {
      return;
    }
  }
}

// A decimal number of at most kMaxDigits digits, ending at whitespace, a comment or the file's end.
inline std::uint64_t read_number(BoundedReader& in, bool comments, const std::string& what) {
  skip_space(in, comments);
  if (!is_digit(in.peek())) in.fail(in.peek() < 0 ? "file ends before " + what : "expected " + what);
  std::uint64_t value = 0;
  int digits = 0;
  while (is_digit(in.peek())) {
    if (++digits > kMaxDigits)
      in.fail(what + " of more than " + std::to_string(kMaxDigits) + " digits is out of range");
    value = value * 10 + static_cast<std::uint64_t>(in.get() - '0');
  }
  const int after = in.peek();
  if (after >= 0 && !is_space(after) && !(comments && after == '#'))
    in.fail("expected whitespace after " + what + ", found " + describe_byte(after));
  return value;
}

inline GreyImage parse(BoundedReader& in) {
  in.limit_to(kMaxHeaderBytes, "header is longer than " + std::to_string(kMaxHeaderBytes) +
                                   " bytes (a PGM header holds four tokens and perhaps comments)");
  const int p = in.get();
  const int kind = in.get();
  if (p != 'P' || (kind != '2' && kind != '5')) in.fail("not a PGM file (P2 or P5)");
  const bool raw = kind == '5';
  if (!is_space(in.peek()) && in.peek() != '#') in.fail("not a PGM file (P2 or P5): no whitespace after the magic");
  GreyImage image;
  image.cols = read_number(in, true, "a width");
  image.rows = read_number(in, true, "a height");
  const std::uint64_t maxval = read_number(in, true, "a maximum value");
  if (image.cols == 0 || image.rows == 0 || image.cols > kMaxSide || image.rows > kMaxSide)
    in.fail("size " + std::to_string(image.cols) + "x" + std::to_string(image.rows) + " is out of range (1 to " +
            std::to_string(kMaxSide) + " on each side)");
  if (maxval == 0 || maxval > kMaxValue)
    in.fail("maximum value " + std::to_string(maxval) + " is out of range (1 to " + std::to_string(kMaxValue) + ")");
  if (!is_space(in.get())) in.fail("expected whitespace after the maximum value");

  const std::size_t count = image.rows * image.cols;
  const std::string size = std::to_string(image.cols) + "x" + std::to_string(image.rows);
  auto scaled = [&](std::uint64_t value) {
    if (value > maxval) in.fail("a pixel exceeds the maximum value");
    return static_cast<std::uint8_t>((value * 255 + maxval / 2) / maxval);
  };
  if (raw) {
    const std::size_t width = maxval < 256 ? 1 : 2;
    const std::size_t raster_bytes = count * width;
    in.limit_to(raster_bytes, "");
    std::vector<unsigned char> raster;
    while (raster.size() < raster_bytes) {
      const std::size_t had = raster.size();
      raster.resize(std::min(raster_bytes, had + kRasterChunkBytes));
      if (in.read(raster.data() + had, raster.size() - had) != raster.size() - had)
        in.fail("raster is truncated: " + std::to_string(raster_bytes) + " bytes expected for " + size + " pixels");
    }
    image.pixels.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      const unsigned char* value = raster.data() + i * width;
      image.pixels[i] = scaled(width == 1 ? value[0] : (std::uint64_t{value[0]} << 8) | value[1]);
    }
  } else {
    in.limit_to(count * kMaxPlainBytesPerPixel, "plain raster of " + size + " pixels is longer than " +
                                                    std::to_string(count * kMaxPlainBytesPerPixel) + " bytes");
    for (std::size_t i = 0; i < count; ++i) image.pixels.push_back(scaled(read_number(in, false, "a pixel value")));
  }

  in.limit_to(kMaxTrailingBytes, "more than " + std::to_string(kMaxTrailingBytes) + " bytes after the raster");
  skip_space(in, false);
  if (in.peek() >= 0)
    in.fail("unexpected data after the " + size + " raster (one image per file; is the size in the header right?)");
  return image;
}

}  // namespace pgm_detail

inline GreyImage read_pgm(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw Error(path.string() + ": is a folder, not an image");
  pgm_detail::BoundedReader in(path);
  return pgm_detail::parse(in);
}

}  // namespace jiggle
