#pragma once
// A gzip file, inflated strictly: one member or several in a row, as gzip(1) writes them, and
// nothing else. zlib's gzread ignores whatever follows the last member that does not look like
// gzip, so a file with bytes appended would read as if they were not there; this reader refuses
// them, as a reader of the same data uncompressed refuses bytes beyond what the data holds.
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "jiggle/error.hpp"

namespace jiggle {

class GzipFile {
 public:
  explicit GzipFile(std::filesystem::path path) : path_(std::move(path)), raw_(path_, std::ios::binary) {
    if (!raw_) fail(std::string("cannot open: ") + std::strerror(errno));
    // 16 + MAX_WBITS: a gzip wrapper, and nothing else (not zlib's, not raw deflate).
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) fail("cannot start inflating (out of memory)");
  }
  ~GzipFile() { inflateEnd(&stream_); }
  GzipFile(const GzipFile&) = delete;
  GzipFile& operator=(const GzipFile&) = delete;

  // Inflates up to `count` bytes into `destination`; fewer only at the end of the last member.
  std::size_t read(void* destination, std::size_t count) {
    auto* out = static_cast<unsigned char*>(destination);
    std::size_t total = 0;
    while (total < count && !ended_) {
      if (stream_.avail_in == 0 && refill() == 0) fail("truncated gzip stream (the file ends inside a member)");
      const auto room = static_cast<uInt>(std::min<std::size_t>(count - total, UINT_MAX));
      stream_.next_out = out + total;
      stream_.avail_out = room;
      const int code = inflate(&stream_, Z_NO_FLUSH);
      total += room - stream_.avail_out;
      if (code == Z_STREAM_END)
        start_next_member();
      else if (code != Z_OK && code != Z_BUF_ERROR)
        fail(std::string("corrupt gzip stream (") + (stream_.msg ? stream_.msg : "zlib error") + ")");
    }
    return total;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { throw Error(path_.string() + ": " + problem); }

  // Moves the unread input to the front of the buffer and reads more behind it; returns the
  // bytes now unread.
  std::size_t refill() {
    if (input_.empty()) input_.resize(std::size_t{1} << 17);
    const std::size_t unread = stream_.avail_in;
    if (unread > 0 && stream_.next_in != input_.data()) std::memmove(input_.data(), stream_.next_in, unread);
    raw_.read(reinterpret_cast<char*>(input_.data() + unread), static_cast<std::streamsize>(input_.size() - unread));
    if (raw_.bad()) fail("read error");
    stream_.next_in = input_.data();
    stream_.avail_in = static_cast<uInt>(unread + static_cast<std::size_t>(raw_.gcount()));
    return stream_.avail_in;
  }

  // After a member's end: the file ends, or another member starts with gzip's magic bytes.
  void start_next_member() {
    if (stream_.avail_in < 2) refill();
    if (stream_.avail_in == 0) {
      ended_ = true;
      return;
    }
    if (stream_.avail_in < 2 || stream_.next_in[0] != 0x1f || stream_.next_in[1] != 0x8b)
      fail("bytes after the gzip stream that are not gzip (trailing data)");
    if (inflateReset(&stream_) != Z_OK) fail("cannot inflate its next member");
  }

  std::filesystem::path path_;
  std::ifstream raw_;
  z_stream stream_{};
  std::vector<unsigned char> input_;
  bool ended_ = false;
};

}  // namespace jiggle
