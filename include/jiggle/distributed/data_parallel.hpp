#pragma once
// Data-parallel training over a ProcessGroup (jiggle/process_group.hpp; on MPI,
// distributed/mpi_process_group.hpp). Every process holds the whole model and takes its shard of
// every batch (Batches::set_shard); then
//   broadcast_parameters   gives every process process 0's parameters and buffers, before the
//                          first step, whatever each one's seed made;
//   DataParallel           wraps any optimiser: each step's gradients, with the loss and the
//                          sample count, are summed over the processes in one call on one
//                          contiguous buffer, averaged, and stepped by the wrapped optimiser on
//                          every process alike, so the models stay identical;
//   sum_over               adds up the evaluations of each process's shard of a data set.
// Batch norm synchronises its batch statistics through the same group (set_process_group), so
// N processes with B images each compute what one process computes with N·B images.
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/optim/optimizer.hpp"
#include "jiggle/process_group.hpp"
#include "jiggle/tensor.hpp"
#include "jiggle/train/evaluate.hpp"

namespace jiggle {

template <Layer Model>
void broadcast_parameters(Model& model, const ProcessGroup& group) {
  using T = typename Model::Scalar;
  const auto all = [](auto& tensor) { return std::span<T>(tensor.data(), static_cast<std::size_t>(tensor.size())); };
  visit_parameters(model, [&](Parameter<T>& parameter) { group.broadcast(all(parameter.value)); });
  visit_buffers(model, [&](Buffer<T>& buffer) { group.broadcast(all(buffer.value)); });
}

// The evaluation of the whole data set, on every process, from each one's evaluation of its shard.
inline Evaluation sum_over(const ProcessGroup& group, const Evaluation& shard) {
  const std::vector<Index>& counts = shard.confusion_counts();
  std::vector<double> sums(counts.begin(), counts.end());  // exact up to 2⁵³ images
  group.sum(sums);
  std::vector<Index> summed(sums.size());
  for (std::size_t i = 0; i < sums.size(); ++i) {
    if (!(sums[i] >= 0.0 && sums[i] < 0x1p53)) throw Error("evaluate: the processes' counts do not add up");
    summed[i] = static_cast<Index>(sums[i]);
  }
  return Evaluation::from_confusion_counts(shard.classes(), std::move(summed));
}

namespace data_parallel_detail {

// Every gradient, then Σ loss, then each process's share of the batch in a slot of its own, in
// one buffer summed in one call. A slot's sum adds zeros to one share, so every process receives
// every share exactly and decides alike whether they are equal: a test on the total alone would
// let a process whose share happens to be the mean carry on into the next sum, and wait there.
// A function of the model alone, not a member of DataParallel<Inner>, so that its code exists
// once per model whatever the optimiser.
template <Layer Model>
StepLoss average_gradients(Model& model, StepLoss loss, const ProcessGroup& group,
                           std::vector<typename Model::Scalar>& buffer) {
  using T = typename Model::Scalar;
  std::size_t size = 0;
  visit_parameters(model,
                   [&](Parameter<T>& parameter) { size += static_cast<std::size_t>(parameter.gradient.size()); });
  const auto ranks = static_cast<std::size_t>(group.size());
  buffer.resize(size + 1 + ranks);  // allocates at the first step only
  std::size_t offset = 0;
  visit_parameters(model, [&](Parameter<T>& parameter) {
    std::copy_n(parameter.gradient.data(), parameter.gradient.size(), buffer.data() + offset);
    offset += static_cast<std::size_t>(parameter.gradient.size());
  });
  buffer[size] = static_cast<T>(loss.mean * static_cast<double>(loss.samples));
  const auto shares = std::span<T>(buffer).subspan(size + 1);
  std::fill(shares.begin(), shares.end(), T(0));
  shares[static_cast<std::size_t>(group.rank())] = static_cast<T>(loss.samples);
  group.sum(std::span<T>(buffer));
  double samples = 0.0;
  for (const T share : shares) samples += static_cast<double>(share);
  if (!std::all_of(shares.begin(), shares.end(), [&](T share) { return share == shares[0]; }))
    throw CollectiveError("data-parallel training needs every batch split evenly between the processes: a batch of " +
                          std::to_string(static_cast<long long>(samples)) + " does not split between " +
                          std::to_string(group.size()) + " (choose a batch size, and a data set size, that do)");
  const T average = T(1) / static_cast<T>(group.size());
  offset = 0;
  visit_parameters(model, [&](Parameter<T>& parameter) {
    const auto count = parameter.gradient.size();
    parameter.gradient =
        Eigen::Map<const Matrix<T>>(buffer.data() + offset, parameter.gradient.rows(), parameter.gradient.cols()) *
        average;
    offset += static_cast<std::size_t>(count);
  });
  return {static_cast<double>(buffer[size]) / samples, static_cast<Index>(samples)};
}

}  // namespace data_parallel_detail

template <class Inner>
class DataParallel {
 public:
  // `group` nullptr, or a group of one, is one process training alone: the steps are the wrapped
  // optimiser's own, plain SGD's fused into the backward pass included.
  DataParallel(Inner inner, const ProcessGroup* group) : inner_(std::move(inner)), group_(group) {}

  // Runs backward, sums the gradients and the loss over the processes and, if the summed loss
  // allows a step, steps with the averaged gradients. Returns the loss of the whole batch, the
  // same on every process. Every process runs backward and sums, whatever its own loss, so none
  // waits in a sum the others have left.
  template <Layer Model, class RunBackward>
  StepLoss step(Model& model, RunBackward&& run_backward, StepLoss loss) {
    if (alone()) return inner_.step(model, run_backward, loss);
    run_backward(GradientTarget<typename Model::Scalar>::gradients());
    const StepLoss combined = average_gradients(model, loss);
    if (allows_step(combined)) inner_.step(model);
    return combined;
  }

  // The step from gradients a caller's own backward wrote, averaged first.
  template <Layer Model>
  void step(Model& model) {
    if (!alone()) average_gradients(model, StepLoss{0.0, 1});
    inner_.step(model);
  }

  double learning_rate() const { return inner_.learning_rate(); }
  void set_learning_rate(double rate) { inner_.set_learning_rate(rate); }

  // The wrapped optimiser's state, which every process holds alike: a training state saved by
  // one process resumes on any number.
  template <Layer Model, class Visitor>
  requires StatefulOptimizer<Inner, Model>
  void visit_state(Model& model, Visitor&& visit) { inner_.visit_state(model, std::forward<Visitor>(visit)); }
  template <class Visitor>
  void visit_counters(Visitor&& visit) {
    inner_.visit_counters(std::forward<Visitor>(visit));
  }

  Inner& inner() { return inner_; }
  const ProcessGroup* group() const { return group_; }

 private:
  bool alone() const { return group_ == nullptr || group_->size() == 1; }

  template <Layer Model>
  StepLoss average_gradients(Model& model, StepLoss loss) {
    return data_parallel_detail::average_gradients(model, loss, *group_,
                                                   buffer_.template get<typename Model::Scalar>());
  }

  // One buffer per scalar type a model may have, made at the first step.
  struct Buffers {
    std::vector<float> floats;
    std::vector<double> doubles;
    template <class T>
    std::vector<T>& get() {
      if constexpr (std::is_same_v<T, float>)
        return floats;
      else
        return doubles;
    }
  };

  Inner inner_;
  const ProcessGroup* group_;
  Buffers buffer_;
};

}  // namespace jiggle
