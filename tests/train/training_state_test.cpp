#include "jiggle/train/training_state.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "jiggle/chain.hpp"
#include "jiggle/data/batches.hpp"
#include "jiggle/data/in_memory.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/losses/mean_squared_error.hpp"
#include "jiggle/losses/softmax_cross_entropy.hpp"
#include "jiggle/optim/adam.hpp"
#include "jiggle/optim/schedule.hpp"
#include "jiggle/optim/sgd.hpp"
#include "support/catch.hpp"
#include "support/idx_writer.hpp"

namespace {

using Model = jiggle::Chain<jiggle::Dense<16, 12>, jiggle::ReLU<float>, jiggle::Dense<12, 4>>;

// 90 images of 4×4 whose class is the brightest quadrant: learnable, so training moves weights.
jiggle::LabelledImages quadrant_images() {
  jiggle::Rng rng(21);
  jiggle::LabelledImages data;
  data.rows = data.cols = 4;
  for (int i = 0; i < 90; ++i) {
    const auto label = static_cast<std::uint8_t>(rng.below(4));
    for (int p = 0; p < 16; ++p) {
      const int quadrant = (p / 4 >= 2 ? 2 : 0) + (p % 4 >= 2 ? 1 : 0);
      data.pixels.push_back(static_cast<std::uint8_t>(rng.below(100) + (quadrant == label ? 150 : 0)));
    }
    data.labels.push_back(label);
  }
  return data;
}

// The same task as in-memory data: 16 features in a 4×4 shape, with the class label or, for
// regression, the quadrants' four mean brightnesses as targets.
template <class Data>
Data quadrant_data() {
  const jiggle::LabelledImages images = quadrant_images();
  std::vector<float> features;
  std::vector<float> means;
  std::vector<std::int32_t> labels;
  for (std::size_t i = 0; i < images.size(); ++i) {
    float quadrant_sums[4] = {};
    for (int p = 0; p < 16; ++p) {
      const float value = static_cast<float>(images.image(i)[p]) / 255.0f;
      features.push_back(value);
      quadrant_sums[(p / 4 >= 2 ? 2 : 0) + (p % 4 >= 2 ? 1 : 0)] += value / 4.0f;
    }
    means.insert(means.end(), quadrant_sums, quadrant_sums + 4);
    labels.push_back(images.labels[i]);
  }
  if constexpr (std::is_same_v<Data, jiggle::RegressionData>) {
    return Data(features, jiggle::Shape{1, 4, 4}, means, 4);
  } else {
    return Data(features, jiggle::Shape{1, 4, 4}, labels);
  }
}

struct Recipe {
  int epochs = 3;
  int augment_shift = 0;
  bool horizontal_flip = false;
  bool cosine = false;
  int warmup_epochs = 0;
};

// The weights and every optimiser tensor, as bits.
template <class Optimizer>
std::vector<std::uint32_t> bits_of(Model& model, Optimizer& optimizer) {
  std::vector<std::uint32_t> bits;
  auto append = [&](const jiggle::Matrix<float>& tensor) {
    for (jiggle::Index i = 0; i < tensor.size(); ++i) {
      std::uint32_t word = 0;
      std::memcpy(&word, tensor.data() + i, sizeof word);
      bits.push_back(word);
    }
  };
  jiggle::visit_parameters(model, [&](jiggle::Parameter<float>& p) { append(p.value); });
  optimizer.visit_state(
      model, [&](const jiggle::Parameter<float>&, std::string_view, jiggle::Matrix<float>& t) { append(t); });
  return bits;
}

// A run as a program makes one: a schedule stepped after each batch, stopping after
// `stop_after` steps (0: never) with its state in `state_file`, or resuming from it.
template <class Data, class Optimizer>
std::vector<std::uint32_t> run(const Data& data, Optimizer optimizer, const Recipe& recipe, long long stop_after,
                               const std::filesystem::path& state_file, bool resume) {
  jiggle::Rng rng(5);
  Model model(rng);
  jiggle::Batches<float, Data> batches(data, 16, jiggle::Order::shuffled, 6);
  batches.set_augmentation({.max_shift = recipe.augment_shift, .horizontal_flip = recipe.horizontal_flip});
  auto loss = [] {
    if constexpr (std::is_same_v<typename Data::Targets, jiggle::RealTargets>) {
      return jiggle::MeanSquaredError<float>();
    } else {
      return jiggle::SoftmaxCrossEntropy<float>(0.1);
    }
  }();
  const jiggle::LearningRateSchedule schedule{.base = optimizer.learning_rate(),
                                              .total_steps = batches.count() * recipe.epochs,
                                              .warmup_steps = batches.count() * recipe.warmup_epochs,
                                              .cosine = recipe.cosine};
  jiggle::TrainingPosition position;
  if (resume) position = jiggle::load_training_state(state_file, model, optimizer, {{"run", "test"}}).position;
  batches.set_epoch(static_cast<std::uint64_t>(position.epochs_done));
  while (position.epochs_done < recipe.epochs) {
    optimizer.set_learning_rate(schedule.at(position.steps_done));
    const bool finished =
        jiggle::continue_epoch(model, loss, optimizer, batches, position.epoch, [&](const jiggle::BatchReport&) {
          optimizer.set_learning_rate(schedule.at(++position.steps_done));
          return position.steps_done == stop_after ? jiggle::Continuation::stop : jiggle::Continuation::proceed;
        });
    if (finished) {
      ++position.epochs_done;
      position.epoch = {};
    }
    if (position.steps_done == stop_after) {
      jiggle::save_training_state(state_file, model, optimizer, position, {{"run", "test"}});
      return {};
    }
  }
  return bits_of(model, optimizer);
}

template <class Data = jiggle::LabelledImages, class MakeOptimizer>
void require_bit_identical_resume(const Recipe& recipe, MakeOptimizer make_optimizer) {
  const Data data = [] {
    if constexpr (std::is_same_v<Data, jiggle::LabelledImages>) {
      return quadrant_images();
    } else {
      return quadrant_data<Data>();
    }
  }();
  jiggle_test::TemporaryFolder folder("jiggle-training-state");
  const auto whole = run(data, make_optimizer(), recipe, 0, {}, false);
  REQUIRE_FALSE(whole.empty());
  // 90 images in batches of 16: 6 steps an epoch. Step 8 is mid-epoch, step 12 between epochs.
  for (const long long stop_after : {8LL, 12LL, 1LL}) {
    INFO("stopped after step " << stop_after);
    const auto state = folder.path() / ("state-" + std::to_string(stop_after) + ".safetensors");
    REQUIRE(run(data, make_optimizer(), recipe, stop_after, state, false).empty());
    const auto resumed = run(data, make_optimizer(), recipe, 0, state, true);
    REQUIRE(resumed == whole);
  }
  const auto other_seedless = run(data, make_optimizer(), Recipe{.epochs = recipe.epochs + 1}, 0, {}, false);
  REQUIRE(other_seedless != whole);  // the comparison can fail: a different run differs
}

}  // namespace

TEST_CASE("A run resumed from its training state ends bit-identical: plain SGD", "[training_state]") {
  require_bit_identical_resume(Recipe{}, [] { return jiggle::Sgd<float>(0.2); });
}

TEST_CASE("A run resumed from its training state ends bit-identical: SGD with momentum", "[training_state]") {
  require_bit_identical_resume(Recipe{}, [] {
    return jiggle::Sgd<float>({.learning_rate = 0.05, .momentum = 0.9, .nesterov = true, .weight_decay = 1e-3});
  });
}

TEST_CASE("A run resumed from its training state ends bit-identical: Adam, cosine, warmup, augmentation",
          "[training_state]") {
  require_bit_identical_resume(Recipe{.augment_shift = 1, .cosine = true, .warmup_epochs = 1},
                               [] { return jiggle::Adam<float>({.learning_rate = 0.01, .weight_decay = 0.01}); });
}

TEST_CASE("A run resumed from its training state ends bit-identical: in-memory class labels, momentum, flips",
          "[training_state][in_memory]") {
  require_bit_identical_resume<jiggle::ClassificationData>(Recipe{.augment_shift = 1, .horizontal_flip = true}, [] {
    return jiggle::Sgd<float>({.learning_rate = 0.05, .momentum = 0.9});
  });
}

TEST_CASE("A run resumed from its training state ends bit-identical: in-memory regression, Adam, cosine",
          "[training_state][in_memory]") {
  require_bit_identical_resume<jiggle::RegressionData>(Recipe{.cosine = true},
                                                       [] { return jiggle::Adam<float>({.learning_rate = 0.01}); });
}

TEST_CASE("A training state holds the optimiser's tensors under PyTorch's names, and loads as weights",
          "[training_state]") {
  jiggle_test::TemporaryFolder folder("jiggle-training-state");
  jiggle::Rng rng(1);
  Model model(rng);
  jiggle::Adam<float> adam;
  const auto data = quadrant_images();
  jiggle::Batches<float> batches(data, 30);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::train_epoch(model, loss, adam, batches);
  const jiggle::TrainingPosition position{.epochs_done = 1, .steps_done = 3, .epoch = {}};
  jiggle::save_training_state(folder.path() / "state.safetensors", model, adam, position, {{"recipe", "adam"}});

  jiggle::SafetensorsFile file(folder.path() / "state.safetensors");
  REQUIRE(file.entries().size() == 12);
  REQUIRE(file.entries().contains("layers.0.weight"));
  REQUIRE(file.entries().at("optimizer.layers.0.weight.exp_avg").shape == std::vector<std::uint64_t>{12, 16});
  REQUIRE(file.entries().at("optimizer.layers.2.bias.exp_avg_sq").shape == std::vector<std::uint64_t>{4});
  REQUIRE(file.metadata().at("jiggle.optimizer.step") == "3");
  REQUIRE(file.metadata().at("jiggle.epochs_done") == "1");
  REQUIRE(file.metadata().at("recipe") == "adam");

  jiggle::Rng other_rng(2);
  Model weights_only(other_rng);
  jiggle::load_safetensors(weights_only, folder.path() / "state.safetensors");
  REQUIRE(weights_only.layer<0>().W == model.layer<0>().W);
  REQUIRE(weights_only.layer<2>().b == model.layer<2>().b);
}

TEST_CASE("A training state names the first difference from the resuming run and changes nothing", "[training_state]") {
  jiggle_test::TemporaryFolder folder("jiggle-training-state");
  const auto path = folder.path() / "state.safetensors";
  jiggle::Rng rng(1);
  Model model(rng);
  jiggle::Sgd<float> momentum({.learning_rate = 0.1, .momentum = 0.9});
  momentum.step(model);  // zero gradients: buffers exist and stay zero
  jiggle::save_training_state(path, model, momentum, {}, {{"recipe", "sgd-momentum"}, {"network", "small"}});

  jiggle::Rng other_rng(2);
  Model other(other_rng);
  const jiggle::Matrix<float> before = other.layer<0>().W;
  jiggle::Sgd<float> resumed({.learning_rate = 0.1, .momentum = 0.9});
  REQUIRE_THROWS_WITH(jiggle::load_training_state(path, other, resumed, {{"recipe", "adam"}, {"network", "small"}}),
                      Catch::Contains("state.safetensors: was written by a run with recipe sgd-momentum, and this "
                                      "run has recipe adam"));
  REQUIRE_THROWS_WITH(jiggle::load_training_state(path, other, resumed, {{"seed", "3"}}),
                      Catch::Contains("was written by a run with seed (none), and this run has seed 3"));
  jiggle::Adam<float> adam;
  REQUIRE_THROWS_WITH(jiggle::load_training_state(path, other, adam),
                      Catch::Contains("a training state without jiggle.optimizer.step"));
  jiggle::Sgd<float> plain(0.1);
  REQUIRE_THROWS_WITH(
      jiggle::load_training_state(path, other, plain),
      Catch::Contains("holds a tensor optimizer.layers.0.bias.momentum_buffer that the model and its optimiser"));
  REQUIRE(other.layer<0>().W == before);

  jiggle::save_safetensors(model, folder.path() / "weights.safetensors");
  REQUIRE_THROWS_WITH(jiggle::load_training_state(folder.path() / "weights.safetensors", other, resumed),
                      Catch::Contains("weights.safetensors: holds weights only, not a training state"));
  REQUIRE_THROWS_WITH(jiggle::save_training_state(path, model, momentum, {}, {{"jiggle.epochs_done", "9"}}),
                      Catch::Contains("cannot use the key 'jiggle.epochs_done'"));
  REQUIRE(other.layer<0>().W == before);
}

TEST_CASE("A training state lacking a key the run describes is taken to hold the value given for earlier states",
          "[training_state]") {
  jiggle_test::TemporaryFolder folder("jiggle-training-state");
  const auto path = folder.path() / "state.safetensors";
  jiggle::Rng rng(1);
  Model model(rng);
  jiggle::Sgd<float> sgd(0.1);
  jiggle::save_training_state(path, model, sgd, {}, {{"recipe", "sgd"}});
  const std::map<std::string, std::string> earlier = {{"precision", "fp32"}};

  const jiggle::TrainingState state =
      jiggle::load_training_state(path, model, sgd, {{"recipe", "sgd"}, {"precision", "fp32"}}, earlier);
  REQUIRE(state.description.at("recipe") == "sgd");
  REQUIRE(state.description.at("precision") == "fp32");
  REQUIRE_THROWS_WITH(jiggle::load_training_state(path, model, sgd, {{"precision", "bf16"}}, earlier),
                      Catch::Contains("was written by a run with precision fp32, and this run has precision bf16"));
  REQUIRE_THROWS_WITH(jiggle::load_training_state(path, model, sgd, {{"precision", "fp32"}}),
                      Catch::Contains("was written by a run with precision (none), and this run has precision fp32"));

  // What the state says outweighs what earlier states are taken to say.
  jiggle::save_training_state(path, model, sgd, {}, {{"precision", "bf16"}});
  REQUIRE_THROWS_WITH(jiggle::load_training_state(path, model, sgd, {{"precision", "fp32"}}, earlier),
                      Catch::Contains("was written by a run with precision bf16, and this run has precision fp32"));
  REQUIRE(jiggle::load_training_state(path, model, sgd, {}, earlier).description.at("precision") == "bf16");
  REQUIRE_THROWS_WITH(jiggle::load_training_state(path, model, sgd, {}, {{"jiggle.steps_done", "0"}}),
                      Catch::Contains("cannot use the key 'jiggle.steps_done'"));
}

TEST_CASE("A training state's numbers are range-checked before use", "[training_state]") {
  jiggle_test::TemporaryFolder folder("jiggle-training-state");
  const auto path = folder.path() / "state.safetensors";
  jiggle::Rng rng(1);
  Model model(rng);
  jiggle::Adam<float> adam;
  jiggle::save_training_state(path, model, adam, {.epochs_done = 2, .steps_done = 12, .epoch = {}}, {});
  // Rewrites one metadata value in place; the header's length stays the same when `to` is as long as `from`.
  auto with = [&](const std::string& from, const std::string& to) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = bytes.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(from.size() == to.size());
    bytes.replace(at, from.size(), to);
    auto edited = folder.path() / "edited.safetensors";
    std::ofstream(edited, std::ios::binary) << bytes;
    return edited;
  };
  const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases{
      {{R"("jiggle.steps_done":"12")", R"("jiggle.steps_done":"-1")"}, "jiggle.steps_done must be a whole number"},
      {{R"("jiggle.steps_done":"12")", R"("jiggle.steps_done":"1x")"}, "found '1x'"},
      {{R"("jiggle.epoch.loss_sum":"0")", R"("jiggle.epoch.loss_sum":"n")"}, "must be a finite number, found 'n'"},
      {{R"("jiggle.optimizer.step":"0")", R"("jiggle.optimizer.step":"x")"}, "jiggle.optimizer.step must be"},
      {{R"("jiggle.format":"training-state-1")", R"("jiggle.format":"training-state-9")"}, "of format"},
      {{R"("jiggle.epochs_done")", R"("jiggle.epochs_gone")"}, "a training state without jiggle.epochs_done"},
  };
  for (const auto& [edit, message] : cases) {
    INFO(edit.second);
    jiggle::Adam<float> fresh;
    REQUIRE_THROWS_WITH(jiggle::load_training_state(with(edit.first, edit.second), model, fresh),
                        Catch::Contains("edited.safetensors: ") && Catch::Contains(message));
  }
}
