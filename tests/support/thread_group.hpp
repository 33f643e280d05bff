#pragma once
// A ProcessGroup of threads in one process, to test what a data-parallel run computes without
// MPI: run_as_group(n, body) runs body(group, rank) on n threads, whose sums and broadcasts meet
// at a barrier. Sums add the ranks' values in rank order, so every rank gets the same bits. A rank
// that throws leaves the group, and the others throw at their next meeting instead of waiting
// for it, so a failing test fails rather than hangs.
#include <atomic>
#include <barrier>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include "jiggle/process_group.hpp"

namespace test_support {

class ThreadGroup {
 public:
  explicit ThreadGroup(int size) : size_(size), slots_(static_cast<std::size_t>(size)), barrier_(size) {}

  // The view of the group that rank `rank` holds.
  class Member : public jiggle::ProcessGroup {
   public:
    Member(ThreadGroup& group, int rank) : group_(group), rank_(rank) {}
    int size() const override { return group_.size_; }
    int rank() const override { return rank_; }
    void sum(std::span<double> values) const override { group_.sum(rank_, values); }
    void sum(std::span<float> values) const override { group_.sum(rank_, values); }
    void broadcast(std::span<double> values) const override { group_.broadcast(rank_, values); }
    void broadcast(std::span<float> values) const override { group_.broadcast(rank_, values); }

   private:
    ThreadGroup& group_;
    int rank_;
  };

  // This rank leaves the group, which goes on without it to tell the others.
  void leave() {
    failed_ = true;
    barrier_.arrive_and_drop();
  }

 private:
  void meet() {
    barrier_.arrive_and_wait();
    if (failed_) throw std::runtime_error("another rank of the group failed");
  }

  template <class T>
  void sum(int rank, std::span<T> values) {
    slots_[static_cast<std::size_t>(rank)].assign(values.begin(), values.end());
    meet();
    for (std::size_t i = 0; i < values.size(); ++i) {
      T total = 0;
      for (const auto& slot : slots_) total += static_cast<T>(slot[i]);
      values[i] = total;
    }
    meet();
  }

  template <class T>
  void broadcast(int rank, std::span<T> values) {
    if (rank == 0) slots_[0].assign(values.begin(), values.end());
    meet();
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<T>(slots_[0][i]);
    meet();
  }

  int size_;
  std::vector<std::vector<double>> slots_;  // float values held exactly in double
  std::barrier<> barrier_;
  std::atomic<bool> failed_ = false;
};

// Runs body(group, rank) for every rank on its own thread and rethrows the first exception.
inline void run_as_group(int size, const std::function<void(const jiggle::ProcessGroup&, int)>& body) {
  ThreadGroup group(size);
  std::vector<std::thread> threads;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (int rank = 0; rank < size; ++rank)
    threads.emplace_back([&, rank] {
      const ThreadGroup::Member member(group, rank);
      try {
        body(member, rank);
      } catch (...) {
        {
          const std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
        group.leave();
      }
    });
  for (auto& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace test_support
