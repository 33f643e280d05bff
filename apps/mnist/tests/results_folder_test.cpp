// The MNIST program's readers of what it reads back, its own epoch logs and the reference's logged
// curves, and its comparison of the two. Every malformed line is refused with the file, the line
// and the problem.
#include "results_folder.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "reference_curves.hpp"
#include "support/catch.hpp"
#include "support/idx_writer.hpp"

namespace {

std::filesystem::path write_text(const jiggle_test::TemporaryFolder& folder, const std::string& name,
                                 const std::string& text) {
  jiggle_test::write_file(folder / name, jiggle_test::Bytes(text.begin(), text.end()));
  return folder / name;
}

}  // namespace

TEST_CASE("Epoch logs read both headers, and rows without the 9,984 column only before those with it",
          "[mnist_results]") {
  jiggle_test::TemporaryFolder folder("epoch-log");
  const auto both = read_epoch_log(write_text(folder, "both.csv",
                                              "epoch,train_loss,test_accuracy,seconds,test_accuracy_9984\n"
                                              "1,0.5,0.9,2\n2,0.25,0.95,2.5,0.9501\n3,0.2,0.96,2,\n"));
  REQUIRE(both.size() == 3);
  REQUIRE_FALSE(both[0].test_accuracy_9984);
  REQUIRE(both[1].test_accuracy_9984 == 0.9501);
  REQUIRE_FALSE(both[2].test_accuracy_9984);  // a test set smaller than 9,984 images
  const auto old =
      read_epoch_log(write_text(folder, "old.csv", "epoch,train_loss,test_accuracy,seconds\n1,0.5,0.9,2\n"));
  REQUIRE(old.size() == 1);
  REQUIRE(old[0].train_loss == 0.5);
}

TEST_CASE("Epoch logs refuse malformed lines, naming the file, the line and the problem", "[mnist_results]") {
  jiggle_test::TemporaryFolder folder("bad-epoch-log");
  const std::string header = "epoch,train_loss,test_accuracy,seconds,test_accuracy_9984\n";
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"epoch,loss\n", "line 1 is neither the header"},
      {header + "1,0.5,0.9,2,0.9,\n", "line 2 is not epoch,"},
      {header + "1,0.5,0.9,2,0.9\n2,0.4,0.9,2\n", "line 3 is not epoch,"},
      {"epoch,train_loss,test_accuracy,seconds\n1,0.5,0.9,2,0.9\n", "line 2 is not epoch,"},
      {header + "1,0.5,0.9,2,1.5\n", "line 2 holds an accuracy on 9,984 images that is not a number in [0, 1]"},
      {header + "1,0.5,1.9,2,0.9\n", "line 2 holds an accuracy outside [0, 1]"},
      {header + "1,nan,0.9,2,0.9\n", "line 2 holds a training loss that is negative or not finite"},
      {header + "1,0.5,0.9,inf,0.9\n", "line 2 holds an accuracy outside [0, 1] or a time"},
      {header + "2,0.5,0.9,2,0.9\n", "line 2 is epoch 2, expected 1"},
      {header + "1,0.5x,0.9,2,0.9\n", "line 2 is not epoch,"},
  };
  int number = 0;
  for (const Case& c : cases) {
    INFO(c.text);
    const auto path = write_text(folder, "log" + std::to_string(++number) + ".csv", c.text);
    REQUIRE_THROWS_WITH(read_epoch_log(path), Catch::Contains(path.string()) && Catch::Contains(c.message));
  }
}

TEST_CASE("The reference's curves refuse malformed lines, naming the file, the line and the problem",
          "[mnist_results]") {
  jiggle_test::TemporaryFolder folder("bad-curves");
  const std::string header = "row,epoch,train_loss,test_correct,test_total\n";
  const auto good = read_reference_curves(write_text(folder, "good.csv", header + "a,1,0.5,,\na,2,0.25,90,100\n"));
  REQUIRE(good.at("a").size() == 2);
  REQUIRE_FALSE(good.at("a")[0].test_accuracy);
  REQUIRE(good.at("a")[1].test_accuracy == 0.9);
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"row,epoch\n", "line 1 is not the header"},
      {header + "a,1,0.5,,\na,3,0.4,,\n", "line 3 is epoch 3 of a, expected 2"},
      {header + "a,1,0,,\n", "line 2 holds a training loss that is not above 0"},
      {header + "a,1,0.5,9,\n", "line 2 holds test counts"},
      {header + "a,1,0.5,11,10\n", "line 2 holds test counts"},
      {header + "a,1,0.5,,,\n", "line 2 is not row,"},
      {header + ",1,0.5,,\n", "line 2 is not row,"},
  };
  int number = 0;
  for (const Case& c : cases) {
    INFO(c.text);
    const auto path = write_text(folder, "curves" + std::to_string(++number) + ".csv", c.text);
    REQUIRE_THROWS_WITH(read_reference_curves(path), Catch::Contains(path.string()) && Catch::Contains(c.message));
  }
}

// The copy the report compares against: every curve a reference row's, as long as its recipe, and
// ending at the accuracy the row states.
TEST_CASE("The shipped reference curves are the reference rows' own", "[mnist_results]") {
  const ReferenceCurves curves = read_reference_curves(reference_curves_path());
  REQUIRE(curves.size() == 18);
  for (const auto& [name, epochs] : curves) {
    INFO(name);
    const TrainingConfig* row = find_training_config(name);
    REQUIRE(row != nullptr);
    REQUIRE(row->from_reference);
    REQUIRE(static_cast<int>(epochs.size()) == row->epochs);
    REQUIRE(epochs.back().test_accuracy);
    REQUIRE(std::abs(100.0 * *epochs.back().test_accuracy - row->reference_accuracy) < 0.005);
  }
}

namespace {

std::vector<ReferenceEpoch> reference_losses(const std::vector<double>& losses) {
  std::vector<ReferenceEpoch> epochs;
  for (const double loss : losses)
    epochs.push_back({.epoch = static_cast<int>(epochs.size()) + 1, .train_loss = loss, .test_accuracy = {}});
  return epochs;
}

}  // namespace

TEST_CASE("A curve's gap to the reference's is relative to the reference's loss, the largest after epoch 1",
          "[mnist_results]") {
  // Gaps 0.1, 0.25, 0 and 0.5 of the reference's loss.
  const CurveGap gap = curve_gap({0.9, 0.5, 0.3, 0.1}, reference_losses({1.0, 0.4, 0.3, 0.2}));
  REQUIRE(gap.first_epoch == Approx(0.1).epsilon(1e-12));
  REQUIRE(gap.largest_later == Approx(0.5).epsilon(1e-12));
  REQUIRE(gap.largest_later_epoch == 4);
  // A run shorter than the reference's is compared over the epochs both have, and a later gap of 0
  // is still a gap at an epoch.
  const CurveGap shorter = curve_gap({0.9, 0.4}, reference_losses({1.0, 0.4, 0.3}));
  REQUIRE(shorter.largest_later == 0.0);
  REQUIRE(shorter.largest_later_epoch == 2);
  REQUIRE(curve_gap({0.9}, reference_losses({1.0, 0.4})).largest_later_epoch == 0);
}

TEST_CASE("An epoch is unexplained where no seed comes near the reference's loss and none lies on each side",
          "[mnist_results]") {
  // Near: within 15 % at epoch 1, 10 % after it.
  const auto reference = reference_losses({1.0, 0.5, 0.2, 0.1});
  // Epoch 1: seed a within 12 %. Epoch 2: every seed 12 % or more above. Epoch 3: no seed within
  // 10 %, but one below and one above. Epoch 4: seed a within 5 %. Seed c stops after epoch 2.
  const std::vector<std::vector<double>> seeds = {{1.12, 0.56, 0.25, 0.105}, {1.3, 0.6, 0.15, 0.2}, {1.5, 0.58}};
  REQUIRE(unexplained_epochs(seeds, reference) == std::vector<int>{2});
  REQUIRE(unexplained_epochs({{1.2, 0.5, 0.2, 0.1}}, reference) == std::vector<int>{1});
}
