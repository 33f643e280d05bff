#pragma once
// Writing files so that nothing is ever half-written and nothing but a regular file is replaced.
//
// write_file_atomically writes into an unpredictable temporary beside the destination, syncs it,
// renames it into place and syncs the folder: after a crash the destination holds either the old
// content or the new, whole. check_writable_destination makes the same checks up front, so a
// program can refuse a bad --save or --log path before a long run rather than after it.
// Destinations that are symbolic links or not regular files (a folder, a FIFO, /dev/null, a
// socket) are refused: writing through a link someone planted, or "saving" into /dev/null, loses
// or misplaces the result without a word.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>

#include "jiggle/error.hpp"

namespace jiggle {

namespace safe_file_detail {

inline std::string system_message(int code) { return std::strerror(code); }

// The folder a path lives in: "model.safetensors" lives in ".".
inline std::filesystem::path folder_of(const std::filesystem::path& path) {
  const auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

inline const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "of an unknown kind";
}

// The process's umask. Reading it with umask() means setting it, which races with any other
// thread creating a file, so take it from /proc first and fall back only where /proc is absent.
inline mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      char* end = nullptr;
      const unsigned long mask = std::strtoul(line.c_str() + 6, &end, 8);
      if (end != line.c_str() + 6 && mask <= 0777) return static_cast<mode_t>(mask);
    }
  }
  const mode_t mask = ::umask(022);
  ::umask(mask);
  return mask;
}

// Refuses a destination that exists and is not a regular file. lstat, so a link is seen as one.
inline void check_destination_itself(const std::filesystem::path& path) {
  struct stat status {};
  if (::lstat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return;
    throw Error(path.string() + ": cannot inspect the destination: " + system_message(errno));
  }
  if (S_ISLNK(status.st_mode))
    throw Error(path.string() + ": is a symbolic link; refusing to write through it (give the path of its target)");
  if (!S_ISREG(status.st_mode))
    throw Error(path.string() + ": is not a regular file (it is " + kind_of(status.st_mode) +
                "); refusing to write to it");
}

// A temporary file beside a destination, created with an unpredictable name by mkostemp (which
// opens with O_CREAT | O_EXCL, so it never follows a link planted under that name) and removed
// again unless it was renamed into place.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::filesystem::path& destination)
      : destination_(destination), name_(destination.string() + ".tmp-XXXXXX") {
    fd_ = ::mkostemp(name_.data(), O_CLOEXEC);
    if (fd_ < 0)
      throw Error(destination_.string() + ": cannot create a temporary file beside it: " + system_message(errno));
    // The destructor does not run for a constructor that throws: clean up here.
    try {
      struct stat status {};
      if (::fstat(fd_, &status) != 0) fail("cannot inspect the temporary " + name_);
      if (!S_ISREG(status.st_mode))
        throw Error(destination_.string() + ": the temporary " + name_ + " is not a regular file");
      if (::fchmod(fd_, mode_for(destination_)) != 0) fail("cannot set the mode of " + name_);
    } catch (...) {
      ::close(fd_);
      ::unlink(name_.c_str());
      throw;
    }
  }

  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!renamed_) ::unlink(name_.c_str());
  }

  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  int fd() const { return fd_; }

  void sync() {
    if (::fsync(fd_) != 0) fail("cannot flush to disk");
  }

  // Closing can report a failed write that the file system delayed (NFS, quotas): check it.
  void close() {
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) fail("cannot close");
  }

  // Renames the temporary onto the destination and syncs the folder, so the rename itself
  // survives a crash. The destination is checked again just before: rename replaces whatever is
  // there, and between the first check and now someone may have put a FIFO or a link in its place.
  void rename_into_place() {
    check_destination_itself(destination_);
    if (::rename(name_.c_str(), destination_.c_str()) != 0) fail("cannot rename " + name_ + " onto it");
    renamed_ = true;
    const auto folder = folder_of(destination_);
    const int folder_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder_fd < 0) fail("written, but cannot open its folder to flush the rename");
    const int synced = ::fsync(folder_fd);
    const int sync_error = errno;
    ::close(folder_fd);
    // Some file systems cannot sync a folder at all (EINVAL); there is nothing more to do there.
    if (synced != 0 && sync_error != EINVAL) {
      errno = sync_error;
      fail("written, but cannot flush its folder to disk");
    }
  }

  // Hands the open descriptor over to the caller, who now closes it.
  int release() { return std::exchange(fd_, -1); }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    const int code = errno;
    throw Error(destination_.string() + ": " + problem + ": " + system_message(code));
  }

  // mkostemp creates mode 0600. A file written over keeps its permissions (a private checkpoint
  // stays private); a new one gets the mode any new file gets here.
  static mode_t mode_for(const std::filesystem::path& destination) {
    struct stat status {};
    if (::lstat(destination.c_str(), &status) == 0 && S_ISREG(status.st_mode)) return status.st_mode & 0777;
    return 0666 & ~current_umask();
  }

  std::filesystem::path destination_;
  std::string name_;
  int fd_ = -1;
  bool renamed_ = false;
};

// Writes all of `bytes`, going on after short writes and interrupted calls.
inline void write_all(int fd, const void* data, std::size_t size, const std::filesystem::path& destination) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw Error(destination.string() + ": cannot write: " + system_message(errno));
    }
    if (written == 0) throw Error(destination.string() + ": cannot write: the system accepted no bytes");
    bytes += written;
    size -= static_cast<std::size_t>(written);
  }
}

}  // namespace safe_file_detail

// Throws Error unless `path` can be written by write_file_atomically: its folder exists, is a
// folder and lets us create files, and `path` is absent or a regular file (not a link).
inline void check_writable_destination(const std::filesystem::path& path) {
  using safe_file_detail::system_message;
  if (path.empty()) throw Error("an empty path cannot be written");
  const auto folder = safe_file_detail::folder_of(path);
  struct stat status {};
  if (::stat(folder.c_str(), &status) != 0) {
    const int code = errno;
    if (code == ENOENT || code == ENOTDIR)
      throw Error(path.string() + ": cannot write here: the folder " + folder.string() + " does not exist");
    throw Error(path.string() + ": cannot write here: cannot inspect the folder " + folder.string() + ": " +
                system_message(code));
  }
  if (!S_ISDIR(status.st_mode))
    throw Error(path.string() + ": cannot write here: " + folder.string() + " is not a folder");
  safe_file_detail::check_destination_itself(path);
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw Error(path.string() + ": cannot write here: the folder " + folder.string() + " is not writable (" +
                system_message(errno) + ")");
  // access() says yes to root whatever the mode bits; creating a file is the test that counts
  // (it also meets a full inode table, an immutable folder or a security policy).
  safe_file_detail::TemporaryFile probe(path);
}

// What write_file_atomically hands its caller to write with: every byte written or an Error that
// names the destination and the reason (a full disk, a quota, an I/O error).
class FileWriter {
 public:
  FileWriter(int fd, std::filesystem::path destination) : fd_(fd), destination_(std::move(destination)) {}

  void write(const void* data, std::size_t size) {
    safe_file_detail::write_all(fd_, data, size, destination_);
    bytes_written_ += size;
  }
  void write(std::string_view text) { write(text.data(), text.size()); }

  std::uint64_t bytes_written() const { return bytes_written_; }

 private:
  int fd_;
  std::filesystem::path destination_;
  std::uint64_t bytes_written_ = 0;
};

// Writes `path` whole or not at all: `write_contents(FileWriter&)` writes the bytes into a
// temporary beside `path`, which is synced, closed, renamed onto `path`, and the folder synced.
// If anything fails, an exception from `write_contents` included, the temporary is removed, the
// old file is left as it was and the exception goes on to the caller.
template <class WriteContents>
void write_file_atomically(const std::filesystem::path& path, WriteContents&& write_contents) {
  check_writable_destination(path);
  safe_file_detail::TemporaryFile temporary(path);
  FileWriter writer(temporary.fd(), path);
  std::forward<WriteContents>(write_contents)(writer);
  temporary.sync();
  temporary.close();
  temporary.rename_into_place();
}

// A CSV log, written line by line as a run goes. Every write is checked, so a full disk stops
// the run with an Error instead of losing epochs without a word.
//
// The log is a new file, created as a temporary and renamed into place when the log is opened,
// and then written in place rather than re-written through a temporary at every line: a reader
// can follow it as it grows (tail -f, a plot refreshed during training), a crash keeps the lines
// written so far, and each line costs one write(2) instead of a copy of the whole log. Creating it
// afresh (not truncating what is there) means an old log that is hard-linked elsewhere is left
// intact, and the destination checks are the same as for every other file jiggle writes.
class SafeLog {
 public:
  explicit SafeLog(const std::filesystem::path& path) : path_(path) {
    check_writable_destination(path);
    safe_file_detail::TemporaryFile temporary(path);
    temporary.rename_into_place();
    fd_ = temporary.release();
  }

  SafeLog(SafeLog&& other) noexcept : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}
  SafeLog& operator=(SafeLog&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) ::close(fd_);
      path_ = std::move(other.path_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  SafeLog(const SafeLog&) = delete;
  SafeLog& operator=(const SafeLog&) = delete;

  // Closes without reporting: a destructor cannot throw. Call close() to learn of failures.
  ~SafeLog() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Appends `line` and a newline with one write(2) (more only if the system takes part of it),
  // so a reader following the log sees whole lines.
  void write_line(std::string_view line) {
    if (fd_ < 0) throw Error(path_.string() + ": the log is closed");
    std::string whole(line);
    whole += '\n';
    safe_file_detail::write_all(fd_, whole.data(), whole.size(), path_);
  }

  // Flushes the log to disk and closes it; throws Error if either fails.
  void close() {
    if (fd_ < 0) return;
    const int fd = std::exchange(fd_, -1);
    const bool synced = ::fsync(fd) == 0;
    const int sync_error = errno;
    const bool closed = ::close(fd) == 0;
    if (!synced) throw Error(path_.string() + ": cannot flush the log to disk: " + std::strerror(sync_error));
    if (!closed) throw Error(path_.string() + ": cannot close the log: " + std::strerror(errno));
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace jiggle
