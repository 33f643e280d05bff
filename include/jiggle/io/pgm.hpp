#pragma once
// Netpbm greymaps (PGM), plain (P2) or raw (P5), read into uint8 pixels scaled to 0–255.
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "jiggle/error.hpp"

namespace jiggle {

struct GreyImage {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::uint8_t> pixels;  // row-major
};

inline GreyImage read_pgm(const std::filesystem::path& path) {
  auto fail = [&](const std::string& problem) -> void { throw Error(path.string() + ": " + problem); };
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) fail("is a folder, not an image");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t at = 0;
  auto skip_space_and_comments = [&] {
    while (at < bytes.size()) {
      if (bytes[at] == '#') {
        while (at < bytes.size() && bytes[at] != '\n') ++at;
      } else if (std::isspace(static_cast<unsigned char>(bytes[at]))) {
        ++at;
      } else {
        break;
      }
    }
  };
  auto read_number = [&](const char* what) {
    skip_space_and_comments();
    std::uint64_t value = 0;
    const std::size_t start = at;
    while (at < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[at])) && at - start < 9)
      value = value * 10 + static_cast<std::uint64_t>(bytes[at++] - '0');
    if (at == start) fail(std::string("expected ") + what);
    return value;
  };
  if (bytes.size() < 2 || bytes[0] != 'P' || (bytes[1] != '2' && bytes[1] != '5')) fail("not a PGM file (P2 or P5)");
  const bool raw = bytes[1] == '5';
  at = 2;
  GreyImage image;
  image.cols = read_number("a width");
  image.rows = read_number("a height");
  const std::uint64_t maxval = read_number("a maximum value");
  if (image.cols == 0 || image.rows == 0 || image.cols > 4096 || image.rows > 4096)
    fail("size " + std::to_string(image.cols) + "x" + std::to_string(image.rows) + " is out of range");
  if (maxval == 0 || maxval > 65535) fail("maximum value " + std::to_string(maxval) + " is out of range");
  const std::size_t count = image.rows * image.cols;
  image.pixels.resize(count);
  auto scaled = [&](std::uint64_t value) {
    if (value > maxval) fail("a pixel exceeds the maximum value");
    return static_cast<std::uint8_t>((value * 255 + maxval / 2) / maxval);
  };
  if (raw) {
    ++at;  // exactly one whitespace byte before the raster
    const std::size_t width = maxval < 256 ? 1 : 2;
    if (bytes.size() < at + count * width)
      fail("raster is truncated: " + std::to_string(count * width) + " bytes expected");
    for (std::size_t i = 0; i < count; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at + i * width);
      image.pixels[i] = scaled(width == 1 ? p[0] : (std::uint64_t{p[0]} << 8) | p[1]);
    }
  } else {
    for (std::size_t i = 0; i < count; ++i) image.pixels[i] = scaled(read_number("a pixel value"));
  }
  return image;
}

}  // namespace jiggle
