#pragma once
// The processes of a data-parallel run, each holding a slice of every batch, and the collective
// operations training needs from them: sums (gradients, batch norm's statistics, evaluation
// counts) and a broadcast (the starting parameters). Layers and the data-parallel optimiser see
// this interface alone, so they build without MPI; jiggle/distributed/ implements it on MPI.
//
// Every operation is collective: every process of the group calls it at the same point of the
// program with as many values, or the run deadlocks.
#include <span>

#include "jiggle/error.hpp"

namespace jiggle {

// An error every process of a group raises at the same point, so no process is left waiting for
// another: each may end as it would alone, and one of them need only say why.
class CollectiveError : public Error {
 public:
  using Error::Error;
};

class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;

  // How many processes there are, and which this one is, from 0.
  virtual int size() const = 0;
  virtual int rank() const = 0;

  // Replaces each value by its sum over the processes, the same bits on every process: what
  // keeps the processes' models identical. MPI's standard only advises it of MPI_Allreduce; Open
  // MPI and MPICH give it (each sum is computed once and sent to all, or by the same steps).
  virtual void sum(std::span<double> values) const = 0;
  virtual void sum(std::span<float> values) const = 0;

  // Replaces each value by process 0's.
  virtual void broadcast(std::span<double> values) const = 0;
  virtual void broadcast(std::span<float> values) const = 0;
};

}  // namespace jiggle
