// The data-parallel tests on MPI itself, run by CTest under `mpiexec -n 2`: every process runs
// every test, taking its part in each collective call.
#include <cstddef>
#include <string>
#include <vector>

#include "jiggle/distributed/mpi_process_group.hpp"
#include "support/catch.hpp"
#include "support/catch_session.hpp"
#include "support/data_parallel_check.hpp"

using test_support::Recipe;

namespace {

const jiggle::MpiProcessGroup& world() {
  static const jiggle::MpiProcessGroup group;
  return group;
}

// Whether every process holds what process 0 holds.
bool same_on_every_process(const test_support::NamedValues& values) {
  double mismatches[1] = {0.0};
  for (const auto& [name, tensor] : values) {
    std::vector<float> first = tensor;
    world().broadcast(std::span<float>(first));
    if (first != tensor) mismatches[0] += 1.0;
  }
  world().sum(mismatches);
  return mismatches[0] == 0.0;
}

template <class Model>
void check_equal_to_one_process() {
  for (const Recipe recipe : {Recipe::plain_sgd, Recipe::momentum, Recipe::adam}) {
    INFO(test_support::to_string(recipe) << ", process " << world().rank() << " of " << world().size());
    const test_support::NamedValues alone = test_support::train_twenty_steps<Model>(recipe, nullptr);
    const test_support::NamedValues run = test_support::train_twenty_steps<Model>(recipe, &world());
    CHECK(same_on_every_process(run));
    CHECK(test_support::differences(run, alone, recipe) == std::vector<std::string>{});
  }
}

}  // namespace

TEST_CASE("On MPI, processes sharing batch 128 train the MLP as one process", "[mpi]") {
  REQUIRE(world().size() >= 2);
  check_equal_to_one_process<test_support::SmallMlp>();
}

TEST_CASE("On MPI, processes sharing batch 128 train a CNN with batch norm as one process", "[mpi]") {
  check_equal_to_one_process<test_support::SmallCnnBn>();
}

TEST_CASE("On MPI, data-parallel training repeats bit for bit", "[mpi]") {
  for (const Recipe recipe : {Recipe::momentum, Recipe::adam})
    REQUIRE(test_support::train_twenty_steps<test_support::SmallCnnBn>(recipe, &world()) ==
            test_support::train_twenty_steps<test_support::SmallCnnBn>(recipe, &world()));
}

int main(int argc, char** argv) {
  const jiggle::MpiRuntime mpi(argc, argv);
  return test_support::run_catch_session(argc, argv);
}
