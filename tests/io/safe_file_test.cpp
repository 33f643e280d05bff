#include "jiggle/io/safe_file.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "jiggle/io/safe_log.hpp"
#include "support/catch.hpp"
#include "support/idx_writer.hpp"

namespace fs = std::filesystem;

namespace {

using jiggle_test::write_text;

// A fresh folder from mkdtemp under /tmp, removed with everything in it.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string name = "/tmp/jiggle-safe-file-XXXXXX";
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = name;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> folder_listing(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

mode_t mode_of(const fs::path& path) {
  struct stat status {};
  REQUIRE(::lstat(path.c_str(), &status) == 0);
  return status.st_mode;
}

// Calls write_file_atomically and records whether it got as far as asking for the contents.
bool asked_for_contents(const fs::path& path) {
  bool asked = false;
  try {
    jiggle::write_file_atomically(path, [&](jiggle::FileWriter& out) {
      asked = true;
      out.write("new");
    });
  } catch (const jiggle::Error&) {
  }
  return asked;
}

}  // namespace

TEST_CASE("write_file_atomically delivers the content whole, with the usual mode, and no temporary left",
          "[safe_file]") {
  ScratchFolder folder;
  const fs::path path = folder / "weights.bin";
  write_text(path, "old content");
  std::string expected;
  for (int i = 0; i < 100000; ++i) expected += std::to_string(i) + ',';
  std::uint64_t reported = 0;
  jiggle::write_file_atomically(path, [&](jiggle::FileWriter& out) {
    out.write(expected.substr(0, 1000));
    out.write(expected.data() + 1000, expected.size() - 1000);
    reported = out.bytes_written();
  });
  REQUIRE(read_text(path) == expected);
  REQUIRE(reported == expected.size());
  REQUIRE(folder_listing(folder.path()) == std::vector<std::string>{"weights.bin"});
  const mode_t mask = ::umask(022);
  ::umask(mask);
  REQUIRE((mode_of(path) & 0777) == (0666 & ~mask));
  const fs::path fresh = folder / "new.bin";
  jiggle::write_file_atomically(fresh, [](jiggle::FileWriter& out) { out.write("new"); });
  REQUIRE((mode_of(fresh) & 0777) == (0666 & ~mask));
}

TEST_CASE("write_file_atomically keeps the permissions of the file it replaces", "[safe_file]") {
  ScratchFolder folder;
  const fs::path path = folder / "private.bin";
  for (const mode_t mode : {mode_t{0600}, mode_t{0640}, mode_t{0444}}) {
    write_text(path, "old");
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    jiggle::write_file_atomically(path, [](jiggle::FileWriter& out) { out.write("new"); });
    REQUIRE(read_text(path) == "new");
    REQUIRE((mode_of(path) & 07777) == mode);
    fs::remove(path);
  }
}

TEST_CASE("write_file_atomically writes a path without a folder part into the current folder", "[safe_file]") {
  ScratchFolder folder;
  const fs::path before = fs::current_path();
  fs::current_path(folder.path());
  jiggle::write_file_atomically("here.txt", [](jiggle::FileWriter& out) { out.write("here"); });
  fs::current_path(before);
  REQUIRE(read_text(folder / "here.txt") == "here");
}

TEST_CASE("A FIFO, a folder, a symbolic link and /dev/null are refused before anything is written", "[safe_file]") {
  ScratchFolder folder;
  ScratchFolder elsewhere;

  const fs::path fifo = folder / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  REQUIRE_THROWS_WITH(jiggle::check_writable_destination(fifo),
                      Catch::Contains("fifo: is not a regular file (it is a FIFO)"));
  REQUIRE_FALSE(asked_for_contents(fifo));
  REQUIRE(S_ISFIFO(mode_of(fifo)));

  const fs::path subfolder = folder / "subfolder";
  fs::create_directory(subfolder);
  REQUIRE_THROWS_WITH(jiggle::check_writable_destination(subfolder),
                      Catch::Contains("subfolder: is not a regular file (it is a folder)"));
  REQUIRE_FALSE(asked_for_contents(subfolder));
  REQUIRE(fs::is_directory(subfolder));

  const fs::path target = elsewhere / "target.txt";
  write_text(target, "the target's own content");
  const fs::path link = folder / "link";
  fs::create_symlink(target, link);
  REQUIRE_THROWS_WITH(jiggle::check_writable_destination(link), Catch::Contains("link: is a symbolic link"));
  REQUIRE_FALSE(asked_for_contents(link));
  REQUIRE(fs::is_symlink(link));
  REQUIRE(read_text(target) == "the target's own content");

  REQUIRE_THROWS_WITH(jiggle::check_writable_destination("/dev/null"),
                      Catch::Contains("/dev/null: is not a regular file (it is a character device)"));
  REQUIRE_FALSE(asked_for_contents("/dev/null"));
  REQUIRE(S_ISCHR(mode_of("/dev/null")));
  REQUIRE_THROWS_WITH(jiggle::check_writable_destination("/dev/full"), Catch::Contains("is not a regular file"));

  // Nothing was left beside the refused destinations.
  REQUIRE(folder_listing(folder.path()) == std::vector<std::string>{"fifo", "link", "subfolder"});
}

TEST_CASE("A symbolic link planted at a guessable temporary name is not followed", "[safe_file]") {
  ScratchFolder folder;
  ScratchFolder elsewhere;
  const fs::path victim = elsewhere / "victim.txt";
  write_text(victim, "must stay");
  const fs::path path = folder / "model.bin";
  const std::vector<std::string> planted{"model.bin.tmp-" + std::to_string(::getpid()), "model.bin.tmp-XXXXXX",
                                         "model.bin.tmp", "model.bin.tmp-000000"};
  for (const auto& name : planted) fs::create_symlink(victim, folder / name);
  jiggle::write_file_atomically(path, [](jiggle::FileWriter& out) { out.write("model"); });
  REQUIRE(read_text(path) == "model");
  REQUIRE(read_text(victim) == "must stay");
  for (const auto& name : planted) REQUIRE(fs::is_symlink(folder / name));
  REQUIRE(folder_listing(folder.path()).size() == planted.size() + 1);
}

TEST_CASE("An exception from write_contents leaves the old file intact and no temporary behind", "[safe_file]") {
  ScratchFolder folder;
  const fs::path path = folder / "state.bin";
  write_text(path, "old");
  REQUIRE_THROWS_WITH(jiggle::write_file_atomically(path,
                                                    [](jiggle::FileWriter& out) {
                                                      out.write("half of the new cont");
                                                      throw std::runtime_error("the writer gave up");
                                                    }),
                      "the writer gave up");
  REQUIRE(read_text(path) == "old");
  REQUIRE(folder_listing(folder.path()) == std::vector<std::string>{"state.bin"});
}

// Runs `body` with the process unable to grow any file past `limit` bytes: writes beyond it fail
// with EFBIG, as they would on a full disk or past a quota.
template <class Body>
void with_file_size_limit(rlim_t limit, Body&& body) {
  rlimit before{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &before) == 0);
  if (before.rlim_max != RLIM_INFINITY && before.rlim_max < limit) JIGGLE_SKIP("the file size limit is lower already");
  rlimit lowered = before;
  lowered.rlim_cur = limit;
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &lowered) == 0);
  try {
    body();
  } catch (...) {
    ::setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, old_handler);
    throw;
  }
  ::setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, old_handler);
}

TEST_CASE("A write the system refuses is an Error naming the destination, and the old file stays", "[safe_file]") {
  ScratchFolder folder;
  const fs::path path = folder / "checkpoint.bin";
  write_text(path, "old");
  const std::string big(1 << 20, 'x');
  with_file_size_limit(4096, [&] {
    REQUIRE_THROWS_WITH(jiggle::write_file_atomically(path, [&](jiggle::FileWriter& out) { out.write(big); }),
                        Catch::StartsWith(path.string() + ": cannot write: ") && Catch::Contains("too large"));
    jiggle::SafeLog log(folder / "log.csv");
    REQUIRE_THROWS_WITH(log.write_line(big),
                        Catch::Contains("log.csv: cannot write: ") && Catch::Contains("too large"));
  });
  REQUIRE(read_text(path) == "old");
  REQUIRE(folder_listing(folder.path()) == std::vector<std::string>{"checkpoint.bin", "log.csv"});
}

TEST_CASE("check_writable_destination refuses a missing folder and a file in a folder's place", "[safe_file]") {
  ScratchFolder folder;
  REQUIRE_THROWS_WITH(jiggle::check_writable_destination(folder / "missing" / "out.bin"),
                      Catch::Contains("out.bin: cannot write here: the folder") && Catch::Contains("does not exist"));
  write_text(folder / "plain-file", "x");
  REQUIRE_THROWS_WITH(jiggle::check_writable_destination(folder / "plain-file" / "out.bin"),
                      Catch::Contains("plain-file is not a folder"));
  REQUIRE_THROWS_WITH(jiggle::check_writable_destination(""), Catch::Contains("empty path"));
  REQUIRE_NOTHROW(jiggle::check_writable_destination(folder / "plain-file"));
  REQUIRE_NOTHROW(jiggle::check_writable_destination(folder / "new-file"));
  REQUIRE(folder_listing(folder.path()) == std::vector<std::string>{"plain-file"});
}

TEST_CASE("check_writable_destination refuses a read-only folder", "[safe_file]") {
  ScratchFolder folder;
  fs::permissions(folder.path(),
                  fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read | fs::perms::others_exec);
  const fs::path path = folder / "out.bin";
  if (::geteuid() != 0) {
    REQUIRE_THROWS_WITH(jiggle::check_writable_destination(path),
                        Catch::Contains("cannot create a file in the folder"));
    return;
  }
  // Root writes into any folder, so the check runs in a child that has given up root for nobody.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    try {
      jiggle::check_writable_destination(path);
    } catch (const jiggle::Error& error) {
      ::_exit(std::string(error.what()).find("cannot create a file in the folder") != std::string::npos ? 0 : 1);
    }
    ::_exit(2);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 3) JIGGLE_SKIP("running as root and unable to become nobody to see a read-only folder");
  INFO("child exit code: 0 refused as a folder it cannot create files in, 1 refused with another message, 2 accepted");
  REQUIRE(WEXITSTATUS(status) == 0);
}

TEST_CASE("SafeLog writes each line as it comes and refuses what is not a regular file", "[safe_file]") {
  ScratchFolder folder;
  const fs::path path = folder / "log.csv";
  write_text(folder / "old-log.csv", "old log\n");
  fs::create_hard_link(folder / "old-log.csv", path);
  jiggle::SafeLog log(path);
  REQUIRE(read_text(path).empty());
  REQUIRE(read_text(folder / "old-log.csv") == "old log\n");  // replaced, not truncated through the link
  log.write_line("epoch,loss");
  REQUIRE(read_text(path) == "epoch,loss\n");  // readable before the log closes
  log.write_line("1,0.25");
  log.close();
  REQUIRE(read_text(path) == "epoch,loss\n1,0.25\n");
  REQUIRE_THROWS_WITH(log.write_line("2,0.125"), Catch::Contains("the log is closed"));
  REQUIRE(folder_listing(folder.path()) == std::vector<std::string>{"log.csv", "old-log.csv"});

  REQUIRE_THROWS_WITH(jiggle::SafeLog("/dev/full"),
                      Catch::Contains("/dev/full: is not a regular file (it is a character device)"));
  fs::create_symlink(folder / "old-log.csv", folder / "link.csv");
  REQUIRE_THROWS_WITH(jiggle::SafeLog(folder / "link.csv"), Catch::Contains("is a symbolic link"));
  REQUIRE(read_text(folder / "old-log.csv") == "old log\n");
}
