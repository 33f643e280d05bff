#pragma once
// jiggle's threads: one pool, sized once, that runs every parallel loop of the library.
//
// A loop is cut into tasks that the caller and the pool's threads claim one at a time from a
// shared counter, so a thread the operating system has preempted holds back one task, not a
// fixed share of the loop, and the others take the rest. An idle thread checks for work for a
// bounded time and then sleeps in the kernel, so on a machine shared with other processes it gives
// its core away within microseconds. OpenMP's runtime, by default, spins for milliseconds at every
// barrier and splits static loops into fixed shares; a busy neighbour then made each of a step's
// many barriers wait for a preempted thread, and an epoch 3× to 35× slower. Its wait policy is read
// from the environment once, at program start, so a library cannot change it.
//
// Two threads of the pool on one CPU take turns on it while another CPU may run somebody else's
// process: with a busy neighbour, three runnable threads on two cores, the scheduler counts every
// split as balanced and may leave the pool's two threads sharing one core. A worker that finds
// itself on the CPU of an earlier thread of the pool, job after job, moves to a CPU of its allowed
// set that no thread of the pool is on, and keeps its allowed set (see move_off_shared_cpu).
//
// For a fixed thread count a loop's result is the same whichever thread runs which task: every
// loop here writes each output from one task, and sums over tasks are added in task order.
//
// OpenMP remains for `JIGGLE_OMP(simd)`, which asks the compiler to vectorise a loop: a bare
// `#pragma omp` breaks the -Wall -Werror build of a user who compiles without -fopenmp
// (-Wunknown-pragmas), so the pragma exists only where OpenMP does.
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/tensor.hpp"

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#ifdef _OPENMP
#define JIGGLE_PRAGMA(text) _Pragma(#text)
#define JIGGLE_OMP(directive) JIGGLE_PRAGMA(omp directive)
#else
#define JIGGLE_OMP(directive)
#endif

namespace jiggle {

// Below this many elements an element-wise loop runs on one thread: waking the second costs
// more than it saves. One threshold for every loop, so they all behave alike.
inline constexpr Index kElementwiseParallelThreshold = 16384;

namespace parallel_detail {

// How long an idle thread looks for work before it sleeps, and a caller waits for the tasks
// others have claimed before it sleeps. Long enough to span the gaps between a step's loops on a
// quiet machine, so no wake-up is paid there; short enough that a thread waiting on a preempted
// partner gives its core back well within a scheduler time slice (about 3 ms).
inline constexpr std::chrono::microseconds kSpinBeforeSleep{100};

inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// Waits until `value` differs from `old`: checks it for kSpinBeforeSleep, then sleeps until a
// notify.
template <class Value>
Value wait_for_change(const std::atomic<Value>& value, Value old) {
  const auto give_up = std::chrono::steady_clock::now() + kSpinBeforeSleep;
  for (int spins = 1;; ++spins) {
    const Value now = value.load(std::memory_order_acquire);
    if (now != old) return now;
    pause();
    if (spins % 64 == 0 && std::chrono::steady_clock::now() > give_up) break;
  }
  for (;;) {
    value.wait(old, std::memory_order_acquire);
    const Value now = value.load(std::memory_order_acquire);
    if (now != old) return now;
  }
}

// A worker moves off a CPU that an earlier thread of the pool is on once it has found it there
// at this many jobs in a row: a scheduler that sent it there for a moment has by then moved it on.
inline constexpr int kSharedCpuJobsBeforeMove = 4;
// And at most once in this time, so a scheduler that keeps sending it back costs a thread a
// system call pair per interval at most, against the half of its core each time it is right.
inline constexpr std::chrono::milliseconds kTimeBetweenMoves{10};

#if defined(__linux__)
// The CPUs of `allowed` that none of the pool's threads is on, as last recorded in `cpus`, the
// calling thread's `here` among them.
inline cpu_set_t cpus_free_of_pool_threads(const cpu_set_t& allowed, int here, const std::atomic<int>* cpus,
                                           int threads) {
  cpu_set_t away = allowed;
  const auto leave_out = [&](int cpu) {
    if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_CLR(cpu, &away);
  };
  leave_out(here);
  for (int thread = 0; thread < threads; ++thread) leave_out(cpus[thread].load(std::memory_order_relaxed));
  return away;
}

// Whether the pool thread `index`, on CPU `here`, shares it with an earlier thread of the pool, as
// last recorded in `cpus`.
inline bool on_an_earlier_threads_cpu(int index, int here, const std::atomic<int>* cpus) {
  if (here < 0) return false;
  for (int earlier = 0; earlier < index; ++earlier)
    if (cpus[earlier].load(std::memory_order_relaxed) == here) return true;
  return false;
}

// Moves the calling thread onto one of the CPUs of `target` and gives it back the CPUs it was
// allowed before: the kernel migrates a thread whose CPU leaves its allowed set at once, and a
// larger set does not move it back. Returns whether it moved; it does not when `target` is empty
// or outside what the process may use.
inline bool move_to_one_of(const cpu_set_t& target) {
  cpu_set_t allowed;
  if (CPU_COUNT(&target) == 0 || sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return false;
  if (sched_setaffinity(0, sizeof(target), &target) != 0) return false;
  sched_setaffinity(0, sizeof(allowed), &allowed);
  return true;
}
#endif

// Whether this thread is running a task of the pool, and which of the pool's threads it is.
inline thread_local bool running_task = false;
inline thread_local int this_thread_index = 0;

// The threads this process may run on; what OMP_NUM_THREADS asks for, when it is set.
inline int default_thread_count() {
  if (const char* requested = std::getenv("OMP_NUM_THREADS"); requested != nullptr && *requested != '\0') {
    // The first entry of a list ("4,2" asks for 4 threads and 2 in nested regions).
    char* end = nullptr;
    const long count = std::strtol(requested, &end, 10);
    if (end == requested || (*end != '\0' && *end != ',') || count < 1 || count > 1024)
      throw Error(std::string("jiggle: OMP_NUM_THREADS is \"") + requested + "\", not a thread count from 1 to 1024");
    return static_cast<int>(count);
  }
#if defined(__linux__)
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) return std::max(1, CPU_COUNT(&allowed));
#endif
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// One loop handed to the pool: its body, called as body(task) for each task in [0, tasks).
struct Job {
  void (*run)(const void* body, Index task) = nullptr;
  const void* body = nullptr;
  std::uint32_t tasks = 0;
};

// The caller of run() and threads() - 1 workers. A job is published under a new generation;
// tasks are claimed by compare-and-swap on one word holding the generation and the count of
// tasks not yet claimed, so a worker that wakes late, after its job has ended and another begun,
// claims nothing of the old job and reads nothing of it either: a claim that succeeds proves the
// job cannot end before the claimed task does, so the job's fields stay put while that task runs.
//
// Eigen's own products are set to one thread when the pool is made: jiggle splits its products
// over the pool, and an Eigen product inside a task must not start OpenMP's threads beside it.
class Pool {
 public:
  explicit Pool(int threads) {
    Eigen::setNbThreads(1);
    start(threads);
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() { stop(); }

  int threads() const { return threads_; }

  void resize(int threads) {
    const std::scoped_lock lock(submitting_);
    if (threads == threads_) return;
    stop();
    start(threads);
  }

  // Runs body(task) for every task in [0, tasks) on the caller and the workers. One caller at a
  // time uses the workers; another thread that calls meanwhile runs its loop alone.
  template <class Body>
  void run(Index tasks, const Body& body) {
    std::unique_lock lock(submitting_, std::try_to_lock);
    if (!lock.owns_lock() || threads_ == 1 || tasks <= 1 || tasks > kMaxTasks || running_task) {
      run_alone(tasks, body);
      return;
    }
    run_on_workers(tasks, body);
  }

  // Runs body() once on each thread: each task waits until every thread has claimed one, so no
  // thread can claim two.
  template <class Body>
  void run_on_each_thread(const Body& body) {
    std::unique_lock lock(submitting_, std::try_to_lock);
    if (!lock.owns_lock() || threads_ == 1 || running_task) {
      run_alone(1, [&](Index) { body(); });
      return;
    }
    std::atomic<int> arrived{0};
    run_on_workers(threads_, [&](Index) noexcept {
      body();
      int now = arrived.fetch_add(1, std::memory_order_acq_rel) + 1;
      arrived.notify_all();
      while (now < threads_) now = wait_for_change(arrived, now);
    });
  }

 private:
  static constexpr Index kMaxTasks = UINT32_MAX;

  template <class Body>
  static void run_alone(Index tasks, const Body& body) {
    const bool outer = !running_task;
    running_task = true;
    for (Index task = 0; task < tasks; ++task) body(task);
    if (outer) running_task = false;
  }

  // Publishes the job under a new generation, wakes the workers, takes tasks beside them, and
  // returns when every task has finished.
  template <class Body>
  void run_on_workers(Index tasks, const Body& body) {
    job_ = {[](const void* erased, Index task) { (*static_cast<const Body*>(erased))(task); }, &body,
            static_cast<std::uint32_t>(tasks)};
    finished_.store(0, std::memory_order_relaxed);
#if defined(__linux__)
    cpus_[0].store(sched_getcpu(), std::memory_order_relaxed);
#endif
    const std::uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
    claims_.store(std::uint64_t{generation} << 32 | job_.tasks, std::memory_order_release);
    generation_.store(generation, std::memory_order_release);
    generation_.notify_all();
    running_task = true;
    const std::uint32_t done = take_tasks(generation);
    running_task = false;
    // Then the workers' claimed tasks, which may still run.
    std::uint32_t finished = finished_.fetch_add(done, std::memory_order_acq_rel) + done;
    while (finished != job_.tasks) finished = wait_for_change(finished_, finished);
  }

  // Claims and runs tasks of `generation` until none is left, and returns how many it ran. The
  // claim word counts the tasks left, so no claim reads the job before it has succeeded.
  std::uint32_t take_tasks(std::uint32_t generation) {
    std::uint32_t ran = 0;
    std::uint64_t claim = claims_.load(std::memory_order_acquire);
    while (claim >> 32 == generation && static_cast<std::uint32_t>(claim) != 0) {
      if (!claims_.compare_exchange_weak(claim, claim - 1, std::memory_order_acq_rel, std::memory_order_acquire))
        continue;
      job_.run(job_.body, job_.tasks - static_cast<std::uint32_t>(claim));
      ++ran;
      claim = claims_.load(std::memory_order_acquire);
    }
    return ran;
  }

  // How often a worker has found itself on an earlier thread's CPU, and when it last moved.
  struct CpuSharing {
    int jobs_in_a_row = 0;
    std::chrono::steady_clock::time_point last_move{};
  };

  // Records the worker's CPU and moves it off one that an earlier thread of the pool is on (the
  // caller is thread 0), so of two threads on one CPU only the later moves.
  void move_off_shared_cpu([[maybe_unused]] int index, [[maybe_unused]] CpuSharing& sharing) {
#if defined(__linux__)
    const int here = sched_getcpu();
    cpus_[index].store(here, std::memory_order_relaxed);
    if (!on_an_earlier_threads_cpu(index, here, cpus_.get())) {
      sharing.jobs_in_a_row = 0;
      return;
    }
    if (++sharing.jobs_in_a_row < kSharedCpuJobsBeforeMove) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - sharing.last_move < kTimeBetweenMoves) return;
    sharing = {0, now};
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return;
    if (move_to_one_of(cpus_free_of_pool_threads(allowed, here, cpus_.get(), threads_)))
      cpus_[index].store(sched_getcpu(), std::memory_order_relaxed);
#endif
  }

  void work(int index) {
    this_thread_index = index;
    CpuSharing sharing;
    std::uint32_t seen = 0;
    for (;;) {
      seen = wait_for_change(generation_, seen);
      if (stopping_.load(std::memory_order_acquire)) return;
      move_off_shared_cpu(index, sharing);
      running_task = true;
      const std::uint32_t ran = take_tasks(seen);
      running_task = false;
      if (ran > 0) {
        finished_.fetch_add(ran, std::memory_order_acq_rel);
        finished_.notify_one();
      }
    }
  }

  void start(int threads) {
    threads_ = threads;
    stopping_.store(false, std::memory_order_relaxed);
    cpus_ = std::make_unique<std::atomic<int>[]>(static_cast<std::size_t>(threads));
    for (int thread = 0; thread < threads; ++thread) cpus_[thread].store(-1, std::memory_order_relaxed);
    workers_.reserve(static_cast<std::size_t>(threads - 1));
    for (int index = 1; index < threads; ++index) workers_.emplace_back([this, index] { work(index); });
  }

  void stop() {
    stopping_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    generation_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
  }

  std::mutex submitting_;
  int threads_ = 1;
  Job job_;
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<std::uint64_t> claims_{0};  // the job's generation, then how many tasks are unclaimed
  std::atomic<std::uint32_t> finished_{0};
  std::atomic<bool> stopping_{false};
  std::unique_ptr<std::atomic<int>[]> cpus_;  // the CPU each thread last took up a job on, or -1
  std::vector<std::thread> workers_;
};

inline Pool& pool() {
  static Pool threads(default_thread_count());
  return threads;
}

}  // namespace parallel_detail

// Sizes jiggle's pool: `threads` threads, the caller's among them, run every parallel loop.
inline void set_thread_count(int threads) {
  if (threads < 1 || threads > 1024)
    throw Error("jiggle: a thread count is from 1 to 1024, not " + std::to_string(threads));
  parallel_detail::pool().resize(threads);
}

// The pool's size: OMP_NUM_THREADS if set, else the cores this process may run on, until
// set_thread_count changes it.
inline int thread_count() { return parallel_detail::pool().threads(); }

// Which of the pool's threads runs this: 0 to thread_count() - 1, the index of the scratch a
// thread owns. 0 outside the pool's tasks.
inline int thread_index() { return parallel_detail::running_task ? parallel_detail::this_thread_index : 0; }

// Whether this runs inside a task already, where a loop must not be split again.
inline bool in_parallel_region() { return parallel_detail::running_task; }

// Runs body(i) for every i in [0, count), each once, on the pool's threads; on the caller alone
// when the loop touches no more than kElementwiseParallelThreshold values in all, where waking a
// second thread would cost more than it saves. Which thread runs which i is decided as threads
// become free, so the body must give the same result on any of them. The body must not throw.
template <class Body>
void parallel_for(Index count, Index elements, const Body& body) {
  if (count > 1 && elements > kElementwiseParallelThreshold && !parallel_detail::running_task)
    parallel_detail::pool().run(count, [&](Index task) noexcept { body(task); });
  else
    for (Index i = 0; i < count; ++i) body(i);
}

// The same for a loop whose size is not counted in values: always shared among the threads.
template <class Body>
void parallel_for(Index count, const Body& body) {
  parallel_for(count, std::numeric_limits<Index>::max(), body);
}

// How many tasks a loop over many equal pieces is cut into, per thread: more than one, so a
// thread the system preempts holds back a small share of the loop and not a fixed half of it;
// few, so each task is long beside the cost of claiming it.
inline constexpr Index kTasksPerThread = 4;

// Runs body(first, last) over [0, units) cut into runs of consecutive units: kTasksPerThread runs
// per thread, or fewer where there are fewer units or at most `max_tasks` are wanted.
template <class Body>
void parallel_for_runs(Index units, Index max_tasks, const Body& body) {
  const Index tasks = std::max(Index{1}, std::min({units, Index{thread_count()} * kTasksPerThread, max_tasks}));
  parallel_for(tasks, [&](Index task) { body(units * task / tasks, units * (task + 1) / tasks); });
}

// The same with no limit but the units and the threads.
template <class Body>
void parallel_for_runs(Index units, const Body& body) {
  parallel_for_runs(units, units, body);
}

// Runs body() once on each of the pool's threads, the caller's among them: how a buffer each
// thread keeps for itself is made before the loops that use it.
template <class Body>
void on_each_thread(const Body& body) {
  parallel_detail::pool().run_on_each_thread(body);
}

}  // namespace jiggle
