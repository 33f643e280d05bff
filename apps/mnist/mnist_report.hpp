#pragma once
// What the MNIST programs print and log: the configuration, a line per epoch (and a CSV row),
// the confusion matrix, the final accuracy, and the classification of one image.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "jiggle/io/safe_log.hpp"
#include "jiggle/jiggle.hpp"
#include "jiggle/train/peak_memory.hpp"
#include "jiggle/train/progress.hpp"
#include "mnist_options.hpp"

inline void print_configuration(const TrainingOptions& options, const NetworkInfo& network,
                                const jiggle::TrainAndTest& data, jiggle::Index parameters) {
  std::printf("%.*s: %.*s, %lld params\n", static_cast<int>(network.name.size()), network.name.data(),
              static_cast<int>(network.layers.size()), network.layers.data(), static_cast<long long>(parameters));
  print_training_config(options.config);
  if (options.reference_draws)
    std::printf(
        "  the reference's draws (its initial weights and order of images; --seed N draws jiggle's), "
        "threads %d\n",
        jiggle::thread_count());
  else
    std::printf("  seed %llu, threads %d\n", static_cast<unsigned long long>(options.seed), jiggle::thread_count());
  std::printf("  products: %s kernels, %s\n", jiggle::kernels::to_string(jiggle::kernels::cpu_isa()).c_str(),
              jiggle::to_string(options.precision).c_str());
  if (!jiggle::kernels::cpu_isa_note().empty()) std::printf("  %s\n", jiggle::kernels::cpu_isa_note().c_str());
  if (options.processes)
    std::printf("  data-parallel: %d processes of %d threads, each taking %lld of every batch's %lld images\n",
                options.processes->size(), jiggle::thread_count(),
                static_cast<long long>(options.config.batch_size / options.processes->size()),
                static_cast<long long>(options.config.batch_size));
  std::printf("  data: %s (%zu train, %zu test images)\n", data_folder_of(options).c_str(), data.train.size(),
              data.test.size());
}

// A run's test accuracy: on every test image and, where the test set has them, on the first 9,984
// (the reference's measure).
struct TestAccuracy {
  jiggle::Evaluation all;
  std::optional<jiggle::Evaluation> first_9984;
};

// The evaluation of two parts of a data set together.
inline jiggle::Evaluation combined(const jiggle::Evaluation& a, const jiggle::Evaluation& b) {
  std::vector<jiggle::Index> counts = a.confusion_counts();
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += b.confusion_counts().at(i);
  return jiggle::Evaluation::from_confusion_counts(a.classes(), std::move(counts));
}

inline void print_accuracy(const jiggle::Evaluation& result) {
  std::printf("test accuracy: %lld/%lld = %.2f%%\n", static_cast<long long>(result.correct()),
              static_cast<long long>(result.total()), 100.0 * result.accuracy());
}

// The reference's measure first, so that the last line is the whole test set's.
inline void print_accuracy(const TestAccuracy& result) {
  if (result.first_9984)
    std::printf("test accuracy on the first 9,984 images (the reference's measure): %lld/%lld = %.2f%%\n",
                static_cast<long long>(result.first_9984->correct()),
                static_cast<long long>(result.first_9984->total()), 100.0 * result.first_9984->accuracy());
  print_accuracy(result.all);
}

inline void print_confusion(const jiggle::Evaluation& result) {
  const jiggle::Index classes = result.classes();
  std::printf("confusion matrix (rows: true class, columns: predicted)\n     ");
  for (jiggle::Index predicted = 0; predicted < classes; ++predicted)
    std::printf("%6lld", static_cast<long long>(predicted));
  std::printf("   accuracy\n");
  for (jiggle::Index truth = 0; truth < classes; ++truth) {
    std::printf("%4lld ", static_cast<long long>(truth));
    jiggle::Index row_total = 0;
    for (jiggle::Index predicted = 0; predicted < classes; ++predicted) {
      std::printf("%6lld", static_cast<long long>(result.confusion(truth, predicted)));
      row_total += result.confusion(truth, predicted);
    }
    const double accuracy =
        row_total ? static_cast<double>(result.confusion(truth, truth)) / static_cast<double>(row_total) : 0.0;
    std::printf("   %6.2f%%\n", 100.0 * accuracy);
  }
}

inline void print_totals(std::chrono::steady_clock::time_point started) {
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("total: %.1f s, peak memory: %.0f MB\n", total, static_cast<double>(jiggle::peak_resident_bytes()) / 1e6);
}

// Classifies one 28×28 PGM image and prints the class probabilities.
template <class Model>
int predict(Model& model, const std::filesystem::path& path, jiggle::PixelScaling scaling) {
  const jiggle::GreyImage image = jiggle::read_pgm(path);
  if (image.rows != 28 || image.cols != 28)
    throw jiggle::Error(path.string() + ": is " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                        " pixels, the model reads 28x28");
  jiggle::Matrix<float> pixels(784, 1);
  for (jiggle::Index p = 0; p < 784; ++p)
    pixels(p, 0) = scaling.apply<float>(image.pixels[static_cast<std::size_t>(p)]);
  jiggle::set_mode(model, jiggle::Mode::evaluation);
  const jiggle::Matrix<float>& logits = model.forward(pixels);
  const jiggle::Matrix<float> probabilities = (logits.array() - logits.maxCoeff()).exp().matrix();
  const float total = probabilities.sum();
  jiggle::Index digit = 0;
  probabilities.col(0).maxCoeff(&digit);
  std::printf("digit: %lld\n", static_cast<long long>(digit));
  for (jiggle::Index d = 0; d < probabilities.rows(); ++d)
    std::printf("  %lld: %.6f\n", static_cast<long long>(d), probabilities(d, 0) / total);
  return 0;
}

// The record of a run: a progress line while an epoch runs (on a terminal only), a summary line
// after it, and a CSV row in the log file when one was asked for. The rows so far travel in
// training states, so the log of a resumed run holds every epoch.
class EpochLog {
 public:
  explicit EpochLog(const TrainingOptions& options)
      : quiet_(options.quiet), label_(options.run_label), progress_(!options.quiet && isatty(STDOUT_FILENO)) {
    if (!options.log) return;
    file_.emplace(*options.log);
    file_->write_line("epoch,train_loss,test_accuracy,seconds,test_accuracy_9984");
  }

  // The rows of the epochs before a resumed run's first.
  void restore(const std::string& rows) {
    rows_ = rows;
    if (file_ && !rows.empty()) file_->write_line(rows.substr(0, rows.size() - 1));  // without its last newline
  }
  const std::string& rows() const { return rows_; }

  // The progress line names the run and the epoch, and counts the time left to the run's end.
  void start_epoch(int epoch, int epochs, long long batches_per_epoch) {
    started_ = std::chrono::steady_clock::now();
    progress_.start_epoch(label_ + "epoch " + std::to_string(epoch) + "/" + std::to_string(epochs),
                          static_cast<long long>(epochs - epoch) * batches_per_epoch);
  }

  void progress(const jiggle::BatchReport& report) { progress_(report); }

  // The epoch's time is its training alone, without the evaluation after it.
  void stop_clock() {
    progress_.finish_epoch();
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

  void finish_epoch(int epoch, int epochs, double train_loss, double learning_rate, const TestAccuracy& result) {
    const double seconds = seconds_;
    if (!quiet_) {
      std::printf("%sEpoch %2d/%d: loss=%.6f lr=%g test=%.2f%% (%.0fms)\n", label_.c_str(), epoch, epochs, train_loss,
                  learning_rate, 100.0 * result.all.accuracy(), 1000.0 * seconds);
      std::fflush(stdout);  // a line per epoch, even into a pipe or a file
    }
    char line[160];
    std::snprintf(line, sizeof line, "%d,%.9g,%.9g,%.6g,", epoch, train_loss, result.all.accuracy(), seconds);
    if (result.first_9984) {
      const std::size_t used = std::strlen(line);
      std::snprintf(line + used, sizeof line - used, "%.9g", result.first_9984->accuracy());
    }
    rows_ += line;
    rows_ += '\n';
    if (file_) file_->write_line(line);
  }

  void close() {
    if (file_) file_->close();
  }

 private:
  bool quiet_;
  std::string label_;
  jiggle::ProgressLine progress_;
  std::optional<jiggle::SafeLog> file_;
  std::string rows_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  double seconds_ = 0.0;
};
