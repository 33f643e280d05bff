#include "jiggle/distributed/data_parallel.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "jiggle/data/batches.hpp"
#include "jiggle/train/evaluate.hpp"
#include "support/catch.hpp"
#include "support/data_parallel_check.hpp"
#include "support/thread_group.hpp"

using test_support::Recipe;

namespace {

// Each rank's model after 20 steps on a group of `ranks` threads.
template <class Model>
std::vector<test_support::NamedValues> train_on_threads(Recipe recipe, int ranks) {
  std::vector<test_support::NamedValues> models(static_cast<std::size_t>(ranks));
  test_support::run_as_group(ranks, [&](const jiggle::ProcessGroup& group, int rank) {
    models[static_cast<std::size_t>(rank)] = test_support::train_twenty_steps<Model>(recipe, &group);
  });
  return models;
}

// N ranks of batch 128/N end where one process of batch 128 does (see differences()).
template <class Model>
void check_equal_to_one_process(int ranks) {
  for (const Recipe recipe : {Recipe::plain_sgd, Recipe::momentum, Recipe::adam}) {
    INFO(test_support::to_string(recipe) << " on " << ranks << " ranks");
    const test_support::NamedValues alone = test_support::train_twenty_steps<Model>(recipe, nullptr);
    const auto models = train_on_threads<Model>(recipe, ranks);
    for (const auto& model : models) {
      REQUIRE(model == models[0]);  // the ranks never drift apart
      CHECK(test_support::differences(model, alone, recipe) == std::vector<std::string>{});
    }
  }
}

}  // namespace

TEST_CASE("Two ranks of batch 64 train the MLP as one process of batch 128", "[data_parallel]") {
  check_equal_to_one_process<test_support::SmallMlp>(2);
}

TEST_CASE("Two and four ranks train a CNN with batch norm as one process of batch 128", "[data_parallel]") {
  check_equal_to_one_process<test_support::SmallCnnBn>(2);
  check_equal_to_one_process<test_support::SmallCnnBn>(4);
}

TEST_CASE("Data-parallel training repeats bit for bit", "[data_parallel]") {
  for (const Recipe recipe : {Recipe::plain_sgd, Recipe::adam})
    REQUIRE(train_on_threads<test_support::SmallCnnBn>(recipe, 2) ==
            train_on_threads<test_support::SmallCnnBn>(recipe, 2));
}

TEST_CASE("The ranks' starting models become rank 0's", "[data_parallel]") {
  std::vector<test_support::NamedValues> models(2);
  test_support::run_as_group(2, [&](const jiggle::ProcessGroup& group, int rank) {
    jiggle::Rng rng(static_cast<std::uint64_t>(10 + rank));
    test_support::SmallCnnBn model(rng);
    model.layer<1>().running_var.setConstant(static_cast<float>(rank + 2));
    jiggle::broadcast_parameters(model, group);
    models[static_cast<std::size_t>(rank)] = test_support::values_of(model);
  });
  jiggle::Rng rng(10);
  test_support::SmallCnnBn first(rng);
  first.layer<1>().running_var.setConstant(2.0F);
  REQUIRE(models[0] == test_support::values_of(first));
  REQUIRE(models[1] == models[0]);
}

TEST_CASE("Shards are refused where a batch has fewer images than shards", "[data_parallel][batches][misuse]") {
  const jiggle::LabelledImages data = test_support::small_images(130);  // the last batch holds 2
  jiggle::Batches<float> batches(data, 128);
  REQUIRE_NOTHROW(batches.set_shard(1, 2));
  REQUIRE(batches.splits_evenly());
  REQUIRE_NOTHROW(batches.set_shard(0, 1));
  REQUIRE(batches.splits_evenly());
  REQUIRE_THROWS_WITH(batches.set_shard(0, 3), Catch::Contains("cannot share batches of 2 samples between 3"));
  REQUIRE_THROWS_WITH(batches.set_shard(2, 2), Catch::Contains("shard 2 of 2 does not exist"));
}

TEST_CASE("A batch that does not split evenly stops every rank with the reason", "[data_parallel][misuse]") {
  const jiggle::LabelledImages data = test_support::small_images(131);  // the last batch, 3, splits 1 and 2
  std::vector<std::string> errors(2);
  test_support::run_as_group(2, [&](const jiggle::ProcessGroup& group, int rank) {
    jiggle::Rng rng(1);
    test_support::SmallMlp model(rng);
    jiggle::Batches<float> batches(data, 128, jiggle::Order::sequential);
    batches.set_shard(rank, 2);
    if (batches.splits_evenly()) return;  // known before the first step
    jiggle::SoftmaxCrossEntropy<float> loss;
    jiggle::DataParallel optimizer(jiggle::Sgd<float>(0.1), &group);
    try {
      jiggle::train_epoch(model, loss, optimizer, batches);
    } catch (const jiggle::CollectiveError& error) {
      errors[static_cast<std::size_t>(rank)] = error.what();
    }
  });
  for (const auto& error : errors) REQUIRE_THAT(error, Catch::Contains("a batch of 3 does not split between 2"));
}

TEST_CASE("Uneven shares stop every rank, the rank whose share is the mean too", "[data_parallel][misuse]") {
  // Shares 3, 4 and 5 total 12, which is 3 × 4: only each rank's own share tells the middle one.
  const std::vector<jiggle::Index> shares{3, 4, 5};
  std::vector<std::string> errors(shares.size());
  test_support::run_as_group(static_cast<int>(shares.size()), [&](const jiggle::ProcessGroup& group, int rank) {
    jiggle::Rng rng(1);
    test_support::SmallMlp model(rng);
    jiggle::DataParallel optimizer(jiggle::Sgd<float>(0.1), &group);
    try {
      optimizer.step(
          model, [](const auto&) {}, jiggle::StepLoss{1.0, shares[static_cast<std::size_t>(rank)]});
    } catch (const jiggle::CollectiveError& error) {
      errors[static_cast<std::size_t>(rank)] = error.what();
    }
  });
  for (const auto& error : errors) REQUIRE_THAT(error, Catch::Contains("a batch of 12 does not split between 3"));
}

TEST_CASE("A loss that diverges on one rank stops every rank at the same step, untouched", "[data_parallel]") {
  const jiggle::LabelledImages data = test_support::small_images(256);
  std::vector<std::string> errors(2);
  std::vector<test_support::NamedValues> before(2), after(2);
  test_support::run_as_group(2, [&](const jiggle::ProcessGroup& group, int rank) {
    jiggle::Rng rng(1);
    test_support::SmallMlp model(rng);
    if (rank == 1) model.layer<2>().b(0) = std::numeric_limits<float>::infinity();  // this rank's loss is not finite
    before[static_cast<std::size_t>(rank)] = test_support::values_of(model);
    jiggle::Batches<float> batches(data, 128, jiggle::Order::sequential);
    batches.set_shard(rank, 2);
    jiggle::SoftmaxCrossEntropy<float> loss;
    jiggle::DataParallel optimizer(jiggle::Sgd<float>({.learning_rate = 0.1, .momentum = 0.5}), &group);
    try {
      jiggle::train_epoch(model, loss, optimizer, batches);
    } catch (const jiggle::DivergedError& error) {
      errors[static_cast<std::size_t>(rank)] = error.what();
    }
    after[static_cast<std::size_t>(rank)] = test_support::values_of(model);
  });
  for (int rank = 0; rank < 2; ++rank) {
    REQUIRE_THAT(errors[static_cast<std::size_t>(rank)], Catch::Contains("at batch 1 of 2"));
    REQUIRE(after[static_cast<std::size_t>(rank)] == before[static_cast<std::size_t>(rank)]);
  }
}

TEST_CASE("Evaluations of shards add up to the evaluation of the whole", "[data_parallel][evaluate]") {
  const jiggle::LabelledImages data = test_support::small_images(303);
  jiggle::Rng rng(2);
  test_support::SmallMlp model(rng);
  jiggle::Batches<float> whole(data, 100, jiggle::Order::sequential);
  const jiggle::Evaluation expected = jiggle::evaluate(model, whole);
  std::vector<jiggle::Evaluation> summed(3);
  test_support::run_as_group(3, [&](const jiggle::ProcessGroup& group, int rank) {
    jiggle::Rng same(2);
    test_support::SmallMlp copy(same);
    jiggle::Batches<float> shard(data, 100, jiggle::Order::sequential);
    shard.set_shard(rank, 3);
    summed[static_cast<std::size_t>(rank)] = jiggle::sum_over(group, jiggle::evaluate(copy, shard));
  });
  for (const auto& evaluation : summed) {
    REQUIRE(evaluation.total() == 303);
    REQUIRE(evaluation.correct() == expected.correct());
    REQUIRE(evaluation.confusion_counts() == expected.confusion_counts());
  }
}

TEST_CASE("A group of one process trains as no group at all, plain SGD fused", "[data_parallel]") {
  test_support::run_as_group(1, [&](const jiggle::ProcessGroup& group, int) {
    for (const Recipe recipe : {Recipe::plain_sgd, Recipe::adam})
      REQUIRE(test_support::train_twenty_steps<test_support::SmallMlp>(recipe, &group) ==
              test_support::train_twenty_steps<test_support::SmallMlp>(recipe, nullptr));
  });
}

TEST_CASE("Every rank reports the loss of the whole batch", "[data_parallel]") {
  const jiggle::LabelledImages data = test_support::small_images(4 * 128);
  const auto losses_of = [&](const jiggle::ProcessGroup* group) {
    jiggle::Rng rng(4);
    test_support::SmallMlp model(rng);
    jiggle::Batches<float> batches(data, 128, jiggle::Order::shuffled, 3);
    if (group) batches.set_shard(group->rank(), group->size());
    jiggle::SoftmaxCrossEntropy<float> loss;
    jiggle::DataParallel optimizer(jiggle::Sgd<float>(0.1), group);
    std::vector<double> losses;
    losses.push_back(jiggle::train_epoch(model, loss, optimizer, batches,
                                         [&](const jiggle::BatchReport& report) { losses.push_back(report.loss); }));
    return losses;
  };
  const std::vector<double> alone = losses_of(nullptr);
  std::vector<std::vector<double>> ranks(2);
  test_support::run_as_group(2, [&](const jiggle::ProcessGroup& group, int rank) {
    ranks[static_cast<std::size_t>(rank)] = losses_of(&group);
  });
  for (const auto& losses : ranks) {
    REQUIRE(losses.size() == alone.size());
    for (std::size_t i = 0; i < losses.size(); ++i) CHECK(losses[i] == Approx(alone[i]).epsilon(1e-6));
  }
}
