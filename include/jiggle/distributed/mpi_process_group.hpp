#pragma once
// The processes of an MPI job as a ProcessGroup, for data-parallel training
// (distributed/data_parallel.hpp), and MPI's start and end. Needs MPI (the CMake target
// jiggle::distributed, or mpicxx); nothing else in jiggle includes this header.
#include <mpi.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "jiggle/error.hpp"
#include "jiggle/process_group.hpp"

namespace jiggle {

// MPI, started for the life of the object. Collective calls come from the main thread only, so
// OpenMP threads and MPI need nothing more than MPI_THREAD_FUNNELED.
class MpiRuntime {
 public:
  MpiRuntime(int& argc, char**& argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    if (provided < MPI_THREAD_FUNNELED) {
      std::fprintf(stderr, "MPI: this MPI cannot run alongside threads (MPI_THREAD_FUNNELED)\n");
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
  ~MpiRuntime() { MPI_Finalize(); }
  MpiRuntime(const MpiRuntime&) = delete;
  MpiRuntime& operator=(const MpiRuntime&) = delete;

  // Whether an MPI launcher (mpirun, mpiexec, srun) started this process, so that a program
  // built with MPI still runs on its own, as a plain program, without one.
  static bool launched() {
    constexpr std::array kLauncherVariables{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"};
    return std::ranges::any_of(kLauncherVariables, [](const char* name) { return std::getenv(name) != nullptr; });
  }
};

class MpiProcessGroup final : public ProcessGroup {
 public:
  explicit MpiProcessGroup(MPI_Comm communicator = MPI_COMM_WORLD) : communicator_(communicator) {
    MPI_Comm_size(communicator_, &size_);
    MPI_Comm_rank(communicator_, &rank_);
  }

  int size() const override { return size_; }
  int rank() const override { return rank_; }

  void sum(std::span<double> values) const override { sum(values.data(), values.size(), MPI_DOUBLE); }
  void sum(std::span<float> values) const override { sum(values.data(), values.size(), MPI_FLOAT); }
  void broadcast(std::span<double> values) const override { broadcast(values.data(), values.size(), MPI_DOUBLE); }
  void broadcast(std::span<float> values) const override { broadcast(values.data(), values.size(), MPI_FLOAT); }

  // Ends every process of the job with `exit_code`: what a process that fails on its own does, so
  // that the others, waiting for it in a collective call, do not wait forever.
  [[noreturn]] void abort(int exit_code) const {
    MPI_Abort(communicator_, exit_code);
    std::_Exit(exit_code);
  }

 private:
  static int count_of(std::size_t count) {
    if (count > static_cast<std::size_t>(INT_MAX))
      throw Error("MPI: " + std::to_string(count) + " values are more than one call carries");
    return static_cast<int>(count);
  }
  void sum(void* values, std::size_t count, MPI_Datatype type) const {
    MPI_Allreduce(MPI_IN_PLACE, values, count_of(count), type, MPI_SUM, communicator_);
  }
  void broadcast(void* values, std::size_t count, MPI_Datatype type) const {
    MPI_Bcast(values, count_of(count), type, 0, communicator_);
  }

  MPI_Comm communicator_;
  int size_ = 1;
  int rank_ = 0;
};

}  // namespace jiggle
