#pragma once
// Mini-batches of labelled uint8 images: a seeded shuffle per epoch, and batch b gathered into a
// preallocated matrix of the model's scalar type (one image per column) through a 256-entry
// table, so gathering is a lookup per pixel and never allocates. The last, partial batch of an
// epoch is included unless set_partial_batch drops it (PyTorch's drop_last): then every batch is
// whole and the images left over, a different few each epoch, wait for another epoch's order.
//
// In a data-parallel run each process takes one shard of every batch (set_shard): the same
// shuffle and augmentation draws on every process, each keeping its own contiguous slice of the
// batch, so the processes together see exactly the batches one process would.
//
// Every random draw is a function of (seed, epoch, batch) alone: epoch e's order is a fresh
// shuffle from the seed's stream for e, and batch b's augmentation comes from a stream of its
// own. So any batch of any epoch can be gathered again, in any order, and a run resumed from
// a training state (seed, epoch, batch) continues with exactly the draws it would have made.
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "jiggle/data/mnist.hpp"
#include "jiggle/error.hpp"
#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/random.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// pixel ↦ pixel · scale + shift, for uint8 pixels.
struct PixelScaling {
  float scale = 1.0f / 255.0f;
  float shift = 0.0f;

  static PixelScaling unit_interval() { return {}; }
  // (x/255 − mean) / deviation, with the statistics of the data set's training images.
  static PixelScaling standardized(PixelStatistics statistics) {
    const auto mean = static_cast<float>(statistics.mean);
    const auto deviation = static_cast<float>(statistics.deviation);
    return {1.0f / (255.0f * deviation), -mean / deviation};
  }

  template <class T>
  T apply(std::uint8_t pixel) const {
    return static_cast<T>(pixel) * static_cast<T>(scale) + static_cast<T>(shift);
  }
};

enum class Order { shuffled, sequential };

// What becomes of the images left over after an epoch's last whole batch.
enum class PartialBatch { kept, dropped };

// Cheap, standard augmentation for digits: each image of a batch is translated by a random
// whole number of pixels in [−max_shift, max_shift] along each axis, the uncovered border
// filled with background (pixel 0). Drawn from the batches' own seeded generator.
struct Augmentation {
  int max_shift = 0;  // 0: none
};

template <class T = float>
class Batches {
 public:
  // Batches read the images in place: a temporary data set would be gone before the first batch.
  Batches(const LabelledImages&& data, Index batch_size, Order order = Order::shuffled, std::uint64_t seed = 0,
          PixelScaling scaling = {}) = delete;
  Batches(const LabelledImages& data, Index batch_size, Order order = Order::shuffled, std::uint64_t seed = 0,
          PixelScaling scaling = {})
      : data_(data), batch_size_(batch_size), order_(order), seed_(seed) {
    if (batch_size <= 0) throw Error("batch size must be positive, got " + std::to_string(batch_size));
    if (data.size() == 0) throw Error("cannot batch an empty data set");
    data.require_consistent();
    if (data.size() > std::numeric_limits<std::uint32_t>::max())
      throw Error("cannot batch " + std::to_string(data.size()) + " images: at most 2^32 - 1");
    for (int pixel = 0; pixel < 256; ++pixel) table_[pixel] = scaling.apply<T>(static_cast<std::uint8_t>(pixel));
    order_of_images_.resize(data.size());
    set_shard(0, 1);
    set_epoch(0);
  }

  struct Batch {
    Matrix<T> inputs;                   // pixels × batch, one image per column
    std::vector<std::int32_t> targets;  // batch: the class labels
  };

  Index count() const {
    const auto images = static_cast<Index>(data_.size());
    return partial_batch_ == PartialBatch::kept ? (images + batch_size_ - 1) / batch_size_ : images / batch_size_;
  }
  Index batch_size() const { return batch_size_; }

  // From now on batch(b) is shard `shard` of `shards` of batch b: its images from
  // ⌊size·shard/shards⌋ up to ⌊size·(shard + 1)/shards⌋. Every batch, the last one too, must
  // hold at least one image per shard.
  void set_shard(int shard, int shards) {
    const Index smallest = last_batch_size();
    if (shards < 1 || shard < 0 || shard >= shards)
      throw Error("shard " + std::to_string(shard) + " of " + std::to_string(shards) + " does not exist");
    if (shards > smallest)
      throw Error("cannot share batches of " + std::to_string(smallest) + " images between " + std::to_string(shards) +
                  " processes");
    shard_ = shard;
    shards_ = shards;
    const auto pixels = static_cast<Index>(data_.pixels_per_image());
    const auto resize = [&](Batch& batch, Index size) {
      batch.inputs.resize(pixels, shard_end(size) - shard_begin(size));
      batch.targets.resize(static_cast<std::size_t>(batch.inputs.cols()));
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
                  " images do not make one whole batch of " + std::to_string(batch_size_));
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
    if (augmentation.max_shift < 0 || static_cast<std::size_t>(augmentation.max_shift) >= data_.rows)
      throw Error("augmentation shift must be in [0, image size), got " + std::to_string(augmentation.max_shift));
    augmentation_ = augmentation;
    shifts_.resize(static_cast<std::size_t>(first_batch_size()));
  }

  // The epoch the batches are drawn for, counted from 0.
  std::uint64_t epoch() const { return epoch_; }

  // Moves to the next epoch: a new order of images (when shuffled) and new augmentation draws.
  void next_epoch() { set_epoch(epoch_ + 1); }

  // Moves to epoch `epoch`, as if next_epoch() had been called that many times from the start.
  void set_epoch(std::uint64_t epoch) {
    epoch_ = epoch;
    std::iota(order_of_images_.begin(), order_of_images_.end(), std::uint32_t{0});
    if (order_ == Order::shuffled) {
      Rng shuffling(seed_, stream(epoch, 0));
      shuffling.shuffle(order_of_images_.begin(), order_of_images_.end());
    }
  }

  // Batch `index` of this epoch, in a buffer reused by the next call of the same size.
  const Batch& batch(Index index) {
    if (index < 0 || index >= count())
      throw Error("batch " + std::to_string(index) + " of " + std::to_string(count()) + " does not exist");
    const Index first = index * batch_size_;
    const Index whole = std::min<Index>(batch_size_, static_cast<Index>(data_.size()) - first);
    const Index begin = shard_begin(whole);  // this shard's images, within the batch
    const Index size = shard_end(whole) - begin;
    Batch& batch = whole == first_batch_size() ? full_ : tail_;
    const Index pixels = batch.inputs.rows();
    const std::span<const std::uint32_t> chosen(order_of_images_.data() + first + begin,
                                                static_cast<std::size_t>(size));
    if (augmentation_.max_shift > 0) {
      // Drawn in order for the whole batch before the threads start, so a seed gives the same
      // shifts on any count of threads or shards.
      Rng shifting(seed_, stream(epoch_, static_cast<std::uint64_t>(index) + 1));
      const auto span = 2 * static_cast<std::uint64_t>(augmentation_.max_shift) + 1;
      for (Index column = 0; column < whole; ++column) {
        shifts_[static_cast<std::size_t>(column)] = {static_cast<int>(shifting.below(span)) - augmentation_.max_shift,
                                                     static_cast<int>(shifting.below(span)) - augmentation_.max_shift};
      }
    }
    parallel_for(size, size * pixels, [&](Index column) {
      const std::uint32_t image = chosen[static_cast<std::size_t>(column)];
      const std::uint8_t* source = data_.image(image);
      T* target = batch.inputs.col(column).data();
      if (augmentation_.max_shift == 0) {
        const T* table = table_.data();
        kernels::run_vectorised([&] {
          JIGGLE_OMP(simd)
          for (Index p = 0; p < pixels; ++p) target[p] = table[source[p]];
        });
      } else {
        gather_shifted(source, target, shifts_[static_cast<std::size_t>(begin + column)]);
      }
      batch.targets[static_cast<std::size_t>(column)] = data_.labels[image];
    });
    return batch;
  }

 private:
  struct Shift {
    int down;
    int right;
  };

  // Every batch but the last holds the first's images; the last may hold fewer, unless dropped.
  Index first_batch_size() const { return std::min(batch_size_, static_cast<Index>(data_.size())); }
  Index last_batch_size() const {
    const Index rest = static_cast<Index>(data_.size()) % batch_size_;
    return rest == 0 || partial_batch_ == PartialBatch::dropped ? first_batch_size() : rest;
  }

  // Where this shard's slice of a batch of `size` images begins and ends.
  Index shard_begin(Index size) const { return size * shard_ / shards_; }
  Index shard_end(Index size) const { return size * (shard_ + 1) / shards_; }

  // Epoch e's generator streams: slot 0 shuffles, slot b + 1 augments batch b. Batch indices are
  // below 2³² (images are counted in 32 bits), so no two (epoch, slot) pairs share a stream
  // before epoch 2³¹.
  static std::uint64_t stream(std::uint64_t epoch, std::uint64_t slot) { return (epoch << 33) | slot; }

  // target(r, c) = source(r − down, c − right), background where that falls outside the image.
  void gather_shifted(const std::uint8_t* source, T* target, Shift shift) const {
    const auto rows = static_cast<int>(data_.rows);
    const auto cols = static_cast<int>(data_.cols);
    for (int r = 0; r < rows; ++r) {
      const int from_row = r - shift.down;
      for (int c = 0; c < cols; ++c) {
        const int from_col = c - shift.right;
        const bool inside = from_row >= 0 && from_row < rows && from_col >= 0 && from_col < cols;
        target[r * cols + c] = table_[inside ? source[from_row * cols + from_col] : 0];
      }
    }
  }

  const LabelledImages& data_;
  Index batch_size_;
  Order order_;
  std::uint64_t seed_;
  std::uint64_t epoch_ = 0;
  PartialBatch partial_batch_ = PartialBatch::kept;
  int shard_ = 0;
  int shards_ = 1;
  std::array<T, 256> table_{};
  std::vector<std::uint32_t> order_of_images_;
  Batch full_;
  Batch tail_;
  Augmentation augmentation_;
  std::vector<Shift> shifts_;
};

}  // namespace jiggle
