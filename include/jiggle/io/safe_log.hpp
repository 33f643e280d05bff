#pragma once
// A CSV log, written line by line as a run goes. Every write is checked, so a full disk stops
// the run with an Error instead of losing epochs without a word.
//
// The log is a new file, created as a temporary and renamed into place when the log is opened,
// and then written in place rather than re-written through a temporary at every line: a reader
// can follow it as it grows (tail -f, a plot refreshed during training), a crash keeps the lines
// written so far, and each line costs one write instead of a copy of the whole log. Creating it
// afresh (not truncating what is there) means an old log that is hard-linked elsewhere is left
// intact, and the destination checks are the same as for every other file jiggle writes.
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "jiggle/error.hpp"
#include "jiggle/io/safe_file.hpp"

namespace jiggle {

class SafeLog {
 public:
  explicit SafeLog(const std::filesystem::path& path) : path_(path) {
    check_writable_destination(path);
    safe_file_detail::TemporaryFile temporary(path);
    temporary.rename_into_place();
    file_ = temporary.release();
  }

  SafeLog(SafeLog&& other) noexcept : path_(std::move(other.path_)), file_(std::exchange(other.file_, nullptr)) {}
  SafeLog& operator=(SafeLog&& other) noexcept {
    if (this != &other) {
      if (file_ != nullptr) std::fclose(file_);
      path_ = std::move(other.path_);
      file_ = std::exchange(other.file_, nullptr);
    }
    return *this;
  }
  SafeLog(const SafeLog&) = delete;
  SafeLog& operator=(const SafeLog&) = delete;

  // Closes without reporting: a destructor cannot throw. Call close() to learn of failures.
  ~SafeLog() {
    if (file_ != nullptr) std::fclose(file_);
  }

  // Appends `line` and a newline and hands them to the system at once, so a reader following the
  // log sees whole lines.
  void write_line(std::string_view line) {
    if (file_ == nullptr) throw Error(path_.string() + ": the log is closed");
    std::string whole(line);
    whole += '\n';
    safe_file_detail::write_all(file_, whole.data(), whole.size(), path_);
    errno = 0;
    if (std::fflush(file_) != 0)
      throw Error(path_.string() + ": cannot write: " + safe_file_detail::system_message(errno));
  }

  // Flushes the log to disk and closes it; throws Error if either fails.
  void close() {
    if (file_ == nullptr) return;
    std::FILE* file = std::exchange(file_, nullptr);
    const auto problem = safe_file_detail::flush_to_disk(file);
    errno = 0;
    const bool closed = std::fclose(file) == 0;
    if (!problem.empty()) throw Error(path_.string() + ": " + problem);
    if (!closed) throw Error(path_.string() + ": cannot close the log: " + safe_file_detail::system_message(errno));
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

}  // namespace jiggle
