#include "jiggle/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "support/catch.hpp"
#include "support/thread_count.hpp"

using test_support::ThreadCountKept;

TEST_CASE("set_thread_count sizes jiggle's pool and leaves Eigen's products on one thread", "[parallel]") {
  const ThreadCountKept kept;
  jiggle::set_thread_count(1);
  REQUIRE(jiggle::thread_count() == 1);
  REQUIRE(Eigen::nbThreads() == 1);
  jiggle::set_thread_count(3);
  REQUIRE(jiggle::thread_count() == 3);
  REQUIRE(Eigen::nbThreads() == 1);
  REQUIRE_THROWS_WITH(jiggle::set_thread_count(0), "jiggle: a thread count is from 1 to 1024, not 0");
  REQUIRE(jiggle::thread_count() == 3);
}

TEST_CASE("parallel_for runs every index once on every thread of the pool", "[parallel]") {
  const ThreadCountKept kept;
  for (const int threads : {1, 2, 3, 4}) {
    jiggle::set_thread_count(threads);
    for (const jiggle::Index count : {0, 1, 2, 7, 1000}) {
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(count));
      std::vector<int> ran_on(static_cast<std::size_t>(count), -1);
      jiggle::parallel_for(count, [&](jiggle::Index i) {
        // Slow enough that every thread takes some indices of the long loop, and before the
        // records, so a loop that returned before its last tasks end would miss some.
        if (count == 1000) std::this_thread::sleep_for(std::chrono::microseconds(20));
        runs[static_cast<std::size_t>(i)].fetch_add(1);
        ran_on[static_cast<std::size_t>(i)] = jiggle::thread_index();
      });
      INFO(threads << " threads, " << count << " indices");
      for (const auto& run : runs) REQUIRE(run.load() == 1);
      for (const int index : ran_on) REQUIRE((index >= 0 && index < threads));
      if (count == 1000)
        REQUIRE(std::set<int>(ran_on.begin(), ran_on.end()).size() == static_cast<std::size_t>(threads));
    }
  }
}

TEST_CASE("parallel_for returns only once a worker's task has ended", "[parallel]") {
  const ThreadCountKept kept;
  jiggle::set_thread_count(2);
  // Each of the two tasks waits for the other to start, so each thread holds one, and the
  // worker's is still asleep when the caller runs out of tasks.
  std::atomic<bool> caller_started{false};
  std::atomic<bool> worker_started{false};
  std::atomic<bool> worker_finished{false};
  const auto wait_for = [](const std::atomic<bool>& flag) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!flag.load() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    return flag.load();
  };
  std::atomic<bool> caller_saw_the_worker{false};
  jiggle::parallel_for(2, [&](jiggle::Index) {
    if (jiggle::thread_index() == 0) {
      caller_started.store(true);
      caller_saw_the_worker.store(wait_for(worker_started));
      return;
    }
    worker_started.store(true);
    wait_for(caller_started);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    worker_finished.store(true);
  });
  REQUIRE(caller_saw_the_worker.load());
  REQUIRE(worker_finished.load());
}

TEST_CASE("A loop inside a task runs on the task's thread, and reports it is inside one", "[parallel]") {
  const ThreadCountKept kept;
  jiggle::set_thread_count(2);
  REQUIRE_FALSE(jiggle::in_parallel_region());
  std::vector<int> inner_thread(8 * 8, -1);
  std::vector<int> outer_thread(8, -1);
  std::atomic<int> outside_a_task{0};
  jiggle::parallel_for(8, [&](jiggle::Index i) {
    if (!jiggle::in_parallel_region()) outside_a_task.fetch_add(1);
    outer_thread[static_cast<std::size_t>(i)] = jiggle::thread_index();
    jiggle::parallel_for(
        8, [&](jiggle::Index j) { inner_thread[static_cast<std::size_t>(i * 8 + j)] = jiggle::thread_index(); });
  });
  REQUIRE(outside_a_task.load() == 0);
  REQUIRE_FALSE(jiggle::in_parallel_region());
  for (std::size_t i = 0; i < inner_thread.size(); ++i) REQUIRE(inner_thread[i] == outer_thread[i / 8]);
}

TEST_CASE("Loops below the element threshold run on the caller alone", "[parallel]") {
  const ThreadCountKept kept;
  jiggle::set_thread_count(2);
  std::vector<int> ran_on(64, -1);
  std::atomic<int> inside{0};
  jiggle::parallel_for(64, jiggle::kElementwiseParallelThreshold, [&](jiggle::Index i) {
    ran_on[static_cast<std::size_t>(i)] = jiggle::thread_index();
    if (jiggle::in_parallel_region()) inside.fetch_add(1);
  });
  REQUIRE(std::all_of(ran_on.begin(), ran_on.end(), [](int index) { return index == 0; }));
  REQUIRE(inside.load() == 0);
}

TEST_CASE("parallel_for_runs covers every unit once, in at most the runs asked for", "[parallel]") {
  const ThreadCountKept kept;
  for (const int threads : {1, 2, 3}) {
    jiggle::set_thread_count(threads);
    for (const jiggle::Index units : {0, 1, 5, 100, 1001}) {
      for (const jiggle::Index max_tasks : {1, 3, 1000}) {
        std::vector<std::atomic<int>> covered(static_cast<std::size_t>(units));
        std::atomic<jiggle::Index> runs{0};
        jiggle::parallel_for_runs(units, max_tasks, [&](jiggle::Index first, jiggle::Index last) {
          runs.fetch_add(1);
          for (jiggle::Index unit = first; unit < last; ++unit) covered[static_cast<std::size_t>(unit)].fetch_add(1);
        });
        for (const auto& count : covered) REQUIRE(count.load() == 1);
        const jiggle::Index wanted = std::min({units, jiggle::Index{threads} * jiggle::kTasksPerThread, max_tasks});
        REQUIRE(runs.load() == std::max(jiggle::Index{1}, wanted));
      }
    }
  }
}

TEST_CASE("on_each_thread runs once on each of the pool's threads", "[parallel]") {
  const ThreadCountKept kept;
  for (const int threads : {1, 2, 4}) {
    jiggle::set_thread_count(threads);
    for (int round = 0; round < 20; ++round) {
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(threads));
      jiggle::on_each_thread([&] { runs[static_cast<std::size_t>(jiggle::thread_index())].fetch_add(1); });
      for (const auto& run : runs) REQUIRE(run.load() == 1);
    }
  }
}

TEST_CASE("Two threads of a program may run loops at once: one of them runs alone", "[parallel]") {
  const ThreadCountKept kept;
  jiggle::set_thread_count(2);
  std::vector<long long> sums(2, 0);
  auto sum_in_loops = [](long long& sum) {
    for (int round = 0; round < 200; ++round) {
      std::vector<long long> parts(100, 0);
      jiggle::parallel_for(100, [&](jiggle::Index i) { parts[static_cast<std::size_t>(i)] = i + 1; });
      for (const long long part : parts) sum += part;
    }
  };
  std::thread other([&] { sum_in_loops(sums[1]); });
  sum_in_loops(sums[0]);
  other.join();
  REQUIRE(sums[0] == 200 * 5050);
  REQUIRE(sums[1] == 200 * 5050);
}

#if defined(__linux__)
namespace {
std::vector<std::atomic<int>> recorded_cpus(const std::vector<int>& cpus) {
  std::vector<std::atomic<int>> recorded(cpus.size());
  for (std::size_t thread = 0; thread < cpus.size(); ++thread) recorded[thread].store(cpus[thread]);
  return recorded;
}

std::vector<int> members(const cpu_set_t& set) {
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

cpu_set_t set_of(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (const int cpu : cpus) CPU_SET(cpu, &set);
  return set;
}
}  // namespace

TEST_CASE("A pool thread sees which earlier thread shares its CPU, and which CPUs no thread is on", "[parallel]") {
  using jiggle::parallel_detail::cpus_free_of_pool_threads;
  using jiggle::parallel_detail::on_an_earlier_threads_cpu;
  const auto cpus = recorded_cpus({3, 5, 3, -1});
  REQUIRE(on_an_earlier_threads_cpu(2, 3, cpus.data()));   // thread 2 on the caller's CPU
  REQUIRE(on_an_earlier_threads_cpu(3, 5, cpus.data()));   // thread 3 on thread 1's
  REQUIRE(!on_an_earlier_threads_cpu(1, 5, cpus.data()));  // thread 1 is the first on CPU 5
  REQUIRE(!on_an_earlier_threads_cpu(0, 3, cpus.data()));  // the caller defers to nobody
  REQUIRE(!on_an_earlier_threads_cpu(3, 7, cpus.data()));
  REQUIRE(!on_an_earlier_threads_cpu(3, -1, cpus.data()));  // a CPU not known is not shared

  const cpu_set_t allowed = set_of({0, 1, 2, 3, 4, 5, 6});
  // Every recorded CPU and the thread's own left out; a CPU not known (-1) leaves out nothing.
  REQUIRE(members(cpus_free_of_pool_threads(allowed, 6, cpus.data(), 4)) == std::vector<int>{0, 1, 2, 4});
  REQUIRE(members(cpus_free_of_pool_threads(allowed, 3, cpus.data(), 2)) == std::vector<int>{0, 1, 2, 4, 6});
  REQUIRE(members(cpus_free_of_pool_threads(set_of({3, 5}), 3, cpus.data(), 2)).empty());
}

TEST_CASE("A thread moved to other CPUs runs on one of them and keeps its allowed set", "[parallel]") {
  cpu_set_t allowed;
  REQUIRE(sched_getaffinity(0, sizeof(allowed), &allowed) == 0);
  if (CPU_COUNT(&allowed) < 2) JIGGLE_SKIP("this process may run on one CPU only");
  // Once its allowed set is whole again the scheduler may move the thread back before it looks,
  // on a machine busy with other tests; so most moves, not every one, must be seen to land.
  int landed = 0;
  for (int move = 0; move < 20; ++move) {
    const int here = sched_getcpu();
    cpu_set_t elsewhere = allowed;
    CPU_CLR(here, &elsewhere);
    REQUIRE(jiggle::parallel_detail::move_to_one_of(elsewhere));
    landed += CPU_ISSET(sched_getcpu(), &elsewhere) ? 1 : 0;
    cpu_set_t after;
    REQUIRE(sched_getaffinity(0, sizeof(after), &after) == 0);
    REQUIRE(CPU_EQUAL(&after, &allowed));
  }
  REQUIRE(landed >= 15);
  cpu_set_t none;
  CPU_ZERO(&none);
  REQUIRE(!jiggle::parallel_detail::move_to_one_of(none));
  cpu_set_t after;
  REQUIRE(sched_getaffinity(0, sizeof(after), &after) == 0);
  REQUIRE(CPU_EQUAL(&after, &allowed));
}
#endif

TEST_CASE("JIGGLE_OMP(simd) compiles with OpenMP and without it, and the loop keeps its result", "[parallel]") {
  std::vector<float> values(1000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i);
  float* data = values.data();
  JIGGLE_OMP(simd)
  for (int i = 0; i < 1000; ++i) data[i] *= 2.0F;
  for (std::size_t i = 0; i < values.size(); ++i) REQUIRE(values[i] == 2.0F * static_cast<float>(i));
}
