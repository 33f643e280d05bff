#pragma once
// Writing files so that nothing is ever half-written and nothing but a regular file is replaced.
//
// write_file_atomically writes into an unpredictable temporary beside the destination, flushes it
// to the disk, renames it into place and flushes the folder: after a crash the destination holds
// either the old content or the new, whole. check_writable_destination makes the same checks up
// front, so a program can refuse a bad --save or --log path before a long run rather than after it.
// Destinations that are symbolic links or not regular files (a folder, a FIFO, /dev/null, a
// socket) are refused: writing through a link someone planted, or "saving" into /dev/null, loses
// or misplaces the result without a word.
//
// Standard C++ but for one thing it cannot say: flush a file or a folder to the disk itself.
// Where POSIX is there (JIGGLE_POSIX_FILES, set from the platform unless a program sets it), that
// is fsync; elsewhere a file is flushed to the operating system only, which survives the
// program's crash but maybe not the machine's.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "jiggle/error.hpp"

#ifndef JIGGLE_POSIX_FILES
#if defined(__unix__) || defined(__APPLE__)
#define JIGGLE_POSIX_FILES 1
#else
#define JIGGLE_POSIX_FILES 0
#endif
#endif
#if JIGGLE_POSIX_FILES
#include <fcntl.h>
#include <unistd.h>
#endif

namespace jiggle {

namespace safe_file_detail {

inline std::string system_message(int code) { return std::strerror(code); }

// The folder a path lives in: "model.safetensors" lives in ".".
inline std::filesystem::path folder_of(const std::filesystem::path& path) {
  const auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

inline const char* kind_of(std::filesystem::file_type type) {
  using std::filesystem::file_type;
  switch (type) {
    case file_type::directory: return "a folder";
    case file_type::fifo: return "a FIFO";
    case file_type::character: return "a character device";
    case file_type::block: return "a block device";
    case file_type::socket: return "a socket";
    case file_type::symlink: return "a symbolic link";
    default: return "of an unknown kind";
  }
}

// Refuses a destination that exists and is not a regular file. symlink_status, so a link is seen
// as one.
inline void check_destination_itself(const std::filesystem::path& path) {
  std::error_code error;
  const auto type = std::filesystem::symlink_status(path, error).type();
  if (type == std::filesystem::file_type::not_found) return;
  if (error) throw Error(path.string() + ": cannot inspect the destination: " + error.message());
  if (type == std::filesystem::file_type::symlink)
    throw Error(path.string() + ": is a symbolic link; refusing to write through it (give the path of its target)");
  if (type != std::filesystem::file_type::regular)
    throw Error(path.string() + ": is not a regular file (it is " + kind_of(type) + "); refusing to write to it");
}

// Writes everything the C library holds for `file` to the operating system and, where POSIX can,
// on to the disk. Returns the problem, or an empty string.
inline std::string flush_to_disk(std::FILE* file) {
  if (std::fflush(file) != 0) return "cannot write: " + system_message(errno);
#if JIGGLE_POSIX_FILES
  if (::fsync(::fileno(file)) != 0) return "cannot flush to disk: " + system_message(errno);
#endif
  return {};
}

// Makes a rename in `folder` survive a crash, where POSIX can. Returns the problem, or "".
inline std::string flush_folder_to_disk([[maybe_unused]] const std::filesystem::path& folder) {
#if JIGGLE_POSIX_FILES
  const int folder_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder_fd < 0) return "written, but cannot open its folder to flush the rename: " + system_message(errno);
  const int synced = ::fsync(folder_fd);
  const int sync_error = errno;
  ::close(folder_fd);
  // Some file systems cannot sync a folder at all (EINVAL); there is nothing more to do there.
  if (synced != 0 && sync_error != EINVAL)
    return "written, but cannot flush its folder to disk: " + system_message(sync_error);
#endif
  return {};
}

// fopen's "x" creates the file or fails if anything is there under that name, a link included,
// so a link planted under the temporary's name is never followed. "e" (close on exec) is
// glibc's, which other C libraries may refuse.
#if defined(__GLIBC__)
inline constexpr const char* kCreateNewForWriting = "wbxe";
#else
inline constexpr const char* kCreateNewForWriting = "wbx";
#endif

// A temporary file beside a destination, under a name nobody can guess, removed again unless it
// was renamed into place.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::filesystem::path& destination) : destination_(destination) {
    std::random_device entropy;
    constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<std::size_t> letter(0, alphabet.size() - 1);
    // Someone else's file under the drawn name is met by drawing again, a bounded number of times.
    for (int attempt = 0; attempt < 100 && file_ == nullptr; ++attempt) {
      name_ = destination.string() + ".tmp-";
      for (int i = 0; i < 12; ++i) name_ += alphabet[letter(entropy)];
      errno = 0;
      file_ = std::fopen(name_.c_str(), kCreateNewForWriting);
      const int open_error = errno;
      std::error_code ignored;
      if (file_ == nullptr && !std::filesystem::exists(std::filesystem::symlink_status(name_, ignored)))
        throw Error(destination_.string() + ": cannot create a file in the folder " + folder_of(destination).string() +
                    ": " + (open_error != 0 ? system_message(open_error) : "the system refused"));
    }
    if (file_ == nullptr)
      throw Error(destination_.string() + ": cannot create a temporary file beside it: every name drawn was taken");
    keep_permissions_of_destination();
  }

  ~TemporaryFile() {
    if (file_ != nullptr) std::fclose(file_);
    std::error_code ignored;
    if (!renamed_) std::filesystem::remove(name_, ignored);
  }

  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  std::FILE* file() const { return file_; }

  void flush_to_disk() {
    if (const auto problem = safe_file_detail::flush_to_disk(file_); !problem.empty()) fail(problem);
  }

  // Closing can report a failed write that the file system delayed (NFS, quotas): check it.
  void close() {
    errno = 0;
    if (std::fclose(std::exchange(file_, nullptr)) != 0) fail("cannot close: " + system_message(errno));
  }

  // Renames the temporary onto the destination and flushes the folder, so the rename itself
  // survives a crash. The destination is checked again just before: rename replaces whatever is
  // there, and between the first check and now someone may have put a FIFO or a link in its place.
  void rename_into_place() {
    check_destination_itself(destination_);
    std::error_code error;
    std::filesystem::rename(name_, destination_, error);
    if (error) fail("cannot rename " + name_ + " onto it: " + error.message());
    renamed_ = true;
    if (const auto problem = flush_folder_to_disk(folder_of(destination_)); !problem.empty()) fail(problem);
  }

  // Hands the open file over to the caller, who now closes it.
  std::FILE* release() { return std::exchange(file_, nullptr); }

 private:
  [[noreturn]] void fail(const std::string& problem) const { throw Error(destination_.string() + ": " + problem); }

  // A new file gets the mode any new file gets here; one written over keeps its permissions, so a
  // private checkpoint stays private.
  void keep_permissions_of_destination() {
    std::error_code error;
    const auto status = std::filesystem::symlink_status(destination_, error);
    if (error || status.type() != std::filesystem::file_type::regular) return;
    std::filesystem::permissions(name_, status.permissions(), error);
    if (error) fail("cannot give " + name_ + " the permissions of the file it replaces: " + error.message());
  }

  std::filesystem::path destination_;
  std::string name_;
  std::FILE* file_ = nullptr;
  bool renamed_ = false;
};

// Writes all of `bytes` to `file`, or throws an Error naming `destination` and the reason.
inline void write_all(std::FILE* file, const void* data, std::size_t size, const std::filesystem::path& destination) {
  errno = 0;
  if (std::fwrite(data, 1, size, file) != size)
    throw Error(destination.string() + ": cannot write: " +
                (errno != 0 ? system_message(errno) : std::string("the system accepted fewer bytes")));
}

}  // namespace safe_file_detail

// Throws Error unless `path` can be written by write_file_atomically: its folder exists, is a
// folder and lets us create files, and `path` is absent or a regular file (not a link).
inline void check_writable_destination(const std::filesystem::path& path) {
  if (path.empty()) throw Error("an empty path cannot be written");
  const auto folder = safe_file_detail::folder_of(path);
  std::error_code error;
  const auto folder_type = std::filesystem::status(folder, error).type();
  if (folder_type == std::filesystem::file_type::not_found || error == std::errc::not_a_directory)
    throw Error(path.string() + ": cannot write here: the folder " + folder.string() + " does not exist");
  if (error)
    throw Error(path.string() + ": cannot write here: cannot inspect the folder " + folder.string() + ": " +
                error.message());
  if (folder_type != std::filesystem::file_type::directory)
    throw Error(path.string() + ": cannot write here: " + folder.string() + " is not a folder");
  safe_file_detail::check_destination_itself(path);
  // Creating a file is the test that counts: permission bits say nothing to root, and a full inode
  // table, an immutable folder or a security policy refuse what the bits allow.
  safe_file_detail::TemporaryFile probe(path);
}

// What write_file_atomically hands its caller to write with: every byte written or an Error that
// names the destination and the reason (a full disk, a quota, an I/O error).
class FileWriter {
 public:
  void write(const void* data, std::size_t size) {
    safe_file_detail::write_all(file_, data, size, destination_);
    bytes_written_ += size;
  }
  void write(std::string_view text) { write(text.data(), text.size()); }

  std::uint64_t bytes_written() const { return bytes_written_; }

 private:
  template <class WriteContents>
  friend void write_file_atomically(const std::filesystem::path& path, WriteContents&& write_contents);

  FileWriter(std::FILE* file, std::filesystem::path destination) : file_(file), destination_(std::move(destination)) {}

  std::FILE* file_;
  std::filesystem::path destination_;
  std::uint64_t bytes_written_ = 0;
};

// Writes `path` whole or not at all: `write_contents(FileWriter&)` writes the bytes into a
// temporary beside `path`, which is flushed to disk, closed, renamed onto `path`, and the folder
// flushed. If anything fails, an exception from `write_contents` included, the temporary is
// removed, the old file is left as it was and the exception goes on to the caller.
template <class WriteContents>
void write_file_atomically(const std::filesystem::path& path, WriteContents&& write_contents) {
  check_writable_destination(path);
  safe_file_detail::TemporaryFile temporary(path);
  FileWriter writer(temporary.file(), path);
  std::forward<WriteContents>(write_contents)(writer);
  temporary.flush_to_disk();
  temporary.close();
  temporary.rename_into_place();
}

}  // namespace jiggle
