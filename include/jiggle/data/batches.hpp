#pragma once
// Mini-batches of any data set (data/data_set.hpp): a seeded shuffle per epoch, and batch b
// gathered into a preallocated matrix of the model's scalar type, one sample per column, which
// never allocates. The last, partial batch of an epoch is included unless set_partial_batch drops
// it (PyTorch's drop_last): then every batch is whole and the samples left over, a different few
// each epoch, wait for another epoch's order.
//
// In a data-parallel run each process takes one shard of every batch (set_shard): the same
// shuffle and augmentation draws on every process, each keeping its own contiguous slice of the
// batch, so the processes together see exactly the batches one process would.
//
// Every random draw is a function of (seed, epoch, batch) alone: epoch e's order is a fresh
// shuffle from the seed's stream for e, and batch b's augmentation comes from a stream of its
// own. So any batch of any epoch can be gathered again, in any order, and a run resumed from
// a training state (seed, epoch, batch) continues with exactly the draws it would have made.
// None of this depends on the data set: every one of them gets it. An order of the caller's own
// (set_epoch_order), a function of the epoch alone as well, can take the shuffle's place.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "jiggle/data/augmentation.hpp"
#include "jiggle/data/data_set.hpp"
#include "jiggle/data/labelled_images.hpp"
#include "jiggle/error.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/random.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

enum class Order { shuffled, sequential };

// Fills `order` with epoch `epoch`'s order of the samples, a permutation of 0 … size − 1: order[k]
// is the sample at place k. A function of the epoch alone, so that any epoch can be reached again.
using EpochOrder = std::function<void(std::uint64_t epoch, std::span<std::uint32_t> order)>;

// What becomes of the samples left over after an epoch's last whole batch.
enum class PartialBatch { kept, dropped };

template <class T = float, DataSet Data = LabelledImages>
class Batches {
 public:
  // Batches read the data set in place: a temporary would be gone before the first batch.
  Batches(const Data&& data, Index batch_size, Order order = Order::shuffled, std::uint64_t seed = 0) = delete;
  Batches(const Data& data, Index batch_size, Order order = Order::shuffled, std::uint64_t seed = 0)
      : data_(data), batch_size_(batch_size), order_(order), seed_(seed) {
    if (batch_size <= 0) throw Error("batch size must be positive, got " + std::to_string(batch_size));
    if (data.size() == 0) throw Error("cannot batch an empty data set");
    data.require_consistent();
    if (data.size() > std::numeric_limits<std::uint32_t>::max())
      throw Error("cannot batch " + std::to_string(data.size()) + " samples: at most 2^32 - 1");
    order_of_samples_.resize(data.size());
    set_shard(0, 1);
    set_epoch(0);
  }

  struct Batch {
    Matrix<T> inputs;                 // sample size × batch, one sample per column
    BatchTargetsOf<Data, T> targets;  // class labels, or one column of real targets per sample
  };

  Index count() const {
    const auto samples = static_cast<Index>(data_.size());
    return partial_batch_ == PartialBatch::kept ? (samples + batch_size_ - 1) / batch_size_ : samples / batch_size_;
  }
  Index batch_size() const { return batch_size_; }

  // From now on batch(b) is shard `shard` of `shards` of batch b: its samples from
  // ⌊size·shard/shards⌋ up to ⌊size·(shard + 1)/shards⌋. Every batch, the last one too, must
  // hold at least one sample per shard.
  void set_shard(int shard, int shards) {
    const Index smallest = last_batch_size();
    if (shards < 1 || shard < 0 || shard >= shards)
      throw Error("shard " + std::to_string(shard) + " of " + std::to_string(shards) + " does not exist");
    if (shards > smallest)
      throw Error("cannot share batches of " + std::to_string(smallest) + " samples between " + std::to_string(shards) +
                  " processes");
    shard_ = shard;
    shards_ = shards;
    const auto sample_size = static_cast<Index>(data_.sample_shape().size());
    const auto resize = [&](Batch& batch, Index size) {
      const Index columns = shard_end(size) - shard_begin(size);
      batch.inputs.resize(sample_size, columns);
      if constexpr (std::same_as<typename Data::Targets, RealTargets>) {
        batch.targets.resize(static_cast<Index>(data_.target_size()), columns);
      } else {
        batch.targets.resize(static_cast<std::size_t>(columns));
      }
    };
    resize(full_, first_batch_size());
    if (last_batch_size() != first_batch_size()) resize(tail_, last_batch_size());
  }
  int shard() const { return shard_; }
  int shards() const { return shards_; }

  // Whether every batch, the last one too, splits into equal shards: what data-parallel training
  // needs (see distributed/data_parallel.hpp), checkable before the first step.
  bool splits_evenly() const { return first_batch_size() % shards_ == 0 && last_batch_size() % shards_ == 0; }

  // Dropping needs at least one whole batch; keeping it again needs a partial batch large enough
  // for the shards already set. A refusal leaves the batches as they were.
  void set_partial_batch(PartialBatch partial_batch) {
    if (partial_batch == PartialBatch::dropped && static_cast<Index>(data_.size()) < batch_size_)
      throw Error("cannot drop the partial batch: " + std::to_string(data_.size()) +
                  " samples do not make one whole batch of " + std::to_string(batch_size_));
    const PartialBatch before = partial_batch_;
    partial_batch_ = partial_batch;
    try {
      set_shard(shard_, shards_);
    } catch (const Error&) {
      partial_batch_ = before;
      throw;
    }
  }
  PartialBatch partial_batch() const { return partial_batch_; }

  void set_augmentation(Augmentation augmentation) {
    augmentation.check_fits(data_.sample_shape());
    augmentation_ = augmentation;
    draws_.resize(static_cast<std::size_t>(first_batch_size()));
  }

  // From now on each epoch's order is `order_of`'s, in place of the seeded shuffle (and of the
  // sequential order); an empty function restores the order the batches were made with. The
  // current epoch is drawn again at once, so an order that is not a permutation is refused here,
  // and the batches keep their order.
  void set_epoch_order(EpochOrder order_of) {
    EpochOrder before = std::exchange(epoch_order_, std::move(order_of));
    try {
      set_epoch(epoch_);
    } catch (const Error&) {
      epoch_order_ = std::move(before);
      set_epoch(epoch_);
      throw;
    }
  }

  // The epoch the batches are drawn for, counted from 0.
  std::uint64_t epoch() const { return epoch_; }

  // Moves to the next epoch: a new order of samples (when shuffled) and new augmentation draws.
  void next_epoch() { set_epoch(epoch_ + 1); }

  // Moves to epoch `epoch`, as if next_epoch() had been called that many times from the start.
  void set_epoch(std::uint64_t epoch) {
    epoch_ = epoch;
    if (epoch_order_) {
      epoch_order_(epoch, order_of_samples_);
      require_permutation(order_of_samples_, epoch);
      return;
    }
    std::iota(order_of_samples_.begin(), order_of_samples_.end(), std::uint32_t{0});
    if (order_ == Order::shuffled) {
      Rng shuffling(seed_, stream(epoch, 0));
      shuffling.shuffle(order_of_samples_.begin(), order_of_samples_.end());
    }
  }

  // Batch `index` of this epoch, in a buffer reused by the next call of the same size.
  const Batch& batch(Index index) {
    if (index < 0 || index >= count())
      throw Error("batch " + std::to_string(index) + " of " + std::to_string(count()) + " does not exist");
    const Index first = index * batch_size_;
    const Index whole = std::min<Index>(batch_size_, static_cast<Index>(data_.size()) - first);
    const Index begin = shard_begin(whole);  // this shard's samples, within the batch
    const Index size = shard_end(whole) - begin;
    Batch& batch = whole == first_batch_size() ? full_ : tail_;
    const std::span<const std::uint32_t> chosen(order_of_samples_.data() + first + begin,
                                                static_cast<std::size_t>(size));
    data_.gather(chosen, batch.inputs, batch.targets);
    if (augmentation_.any()) {
      // Drawn in order for the whole batch before the threads start, so a seed gives the same
      // draws on any count of threads or shards.
      Rng drawing(seed_, stream(epoch_, static_cast<std::uint64_t>(index) + 1));
      for (Index column = 0; column < whole; ++column)
        draws_[static_cast<std::size_t>(column)] = draw_augmentation(augmentation_, drawing);
      const Shape shape = data_.sample_shape();
      const T fill = background_of<T>(data_);
      parallel_for(size, size * batch.inputs.rows(), [&](Index column) {
        apply_augmentation(draws_[static_cast<std::size_t>(begin + column)], batch.inputs.col(column).data(), shape,
                           fill);
      });
    }
    return batch;
  }

 private:
  // Every batch but the last holds the first's samples; the last may hold fewer, unless dropped.
  Index first_batch_size() const { return std::min(batch_size_, static_cast<Index>(data_.size())); }
  Index last_batch_size() const {
    const Index rest = static_cast<Index>(data_.size()) % batch_size_;
    return rest == 0 || partial_batch_ == PartialBatch::dropped ? first_batch_size() : rest;
  }

  // Where this shard's slice of a batch of `size` samples begins and ends.
  Index shard_begin(Index size) const { return size * shard_ / shards_; }
  Index shard_end(Index size) const { return size * (shard_ + 1) / shards_; }

  // Epoch e's generator streams: slot 0 shuffles, slot b + 1 augments batch b. Batch indices are
  // below 2³² (samples are counted in 32 bits), so no two (epoch, slot) pairs share a stream
  // before epoch 2³¹.
  static std::uint64_t stream(std::uint64_t epoch, std::uint64_t slot) { return (epoch << 33) | slot; }

  // An order that names a sample twice would leave another out of the epoch, silently.
  static void require_permutation(std::span<const std::uint32_t> order, std::uint64_t epoch) {
    std::vector<bool> seen(order.size(), false);
    for (const std::uint32_t sample : order) {
      if (sample >= order.size() || seen[sample])
        throw Error("the order of epoch " + std::to_string(epoch) + " is no permutation of the " +
                    std::to_string(order.size()) + " samples: sample " + std::to_string(sample) +
                    (sample >= order.size() ? " does not exist" : " comes twice"));
      seen[sample] = true;
    }
  }

  const Data& data_;
  Index batch_size_;
  Order order_;
  std::uint64_t seed_;
  std::uint64_t epoch_ = 0;
  PartialBatch partial_batch_ = PartialBatch::kept;
  int shard_ = 0;
  int shards_ = 1;
  std::vector<std::uint32_t> order_of_samples_;
  EpochOrder epoch_order_;
  Batch full_;
  Batch tail_;
  Augmentation augmentation_;
  std::vector<AugmentationDraw> draws_;
};

}  // namespace jiggle
