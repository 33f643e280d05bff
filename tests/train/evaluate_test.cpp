#include "jiggle/train/evaluate.hpp"

#include "jiggle/data/batches.hpp"
#include "jiggle/layers/dense.hpp"
#include "support/catch.hpp"

TEST_CASE("evaluate counts arg-max predictions into accuracy and the confusion matrix", "[evaluate]") {
  // Four 10-pixel "images"; a Dense<10, 10> identity model predicts the brightest pixel.
  jiggle::LabelledImages data;
  data.rows = 1;
  data.cols = 10;
  const int brightest[] = {3, 3, 7, 0};
  const std::uint8_t labels[] = {3, 5, 7, 0};
  for (int i = 0; i < 4; ++i) {
    for (int p = 0; p < 10; ++p) data.pixels.push_back(p == brightest[i] ? 255 : 10);
    data.labels.push_back(labels[i]);
  }
  jiggle::Rng rng(0);
  jiggle::Dense<10, 10> model(rng);
  model.W.setIdentity();
  model.b.setZero();
  jiggle::Batches batches(data, 3, jiggle::Order::sequential);
  const jiggle::Evaluation result = jiggle::evaluate(model, batches);
  REQUIRE(result.classes() == 10);
  REQUIRE(result.total() == 4);
  REQUIRE(result.correct() == 3);
  REQUIRE(result.accuracy() == 0.75);
  REQUIRE(result.confusion(5, 3) == 1);  // a 5 taken for a 3
  REQUIRE(result.confusion(3, 3) == 1);
  REQUIRE(result.confusion(7, 7) == 1);
  REQUIRE(result.confusion(0, 0) == 1);
}

TEST_CASE("evaluate takes the class count from the model and refuses labels beyond it", "[evaluate]") {
  jiggle::LabelledImages data;
  data.rows = 1;
  data.cols = 4;
  data.pixels = {255, 0, 0, 0, 0, 0, 255, 0};
  data.labels = {0, 2};
  jiggle::Rng rng(0);
  jiggle::Dense<4, 3> model(rng);
  model.W.setIdentity();
  model.b.setZero();
  jiggle::Batches batches(data, 2, jiggle::Order::sequential);
  const jiggle::Evaluation result = jiggle::evaluate(model, batches);
  REQUIRE(result.classes() == 3);
  REQUIRE(result.correct() == 2);
  data.labels = {0, 3};
  jiggle::Batches beyond(data, 2, jiggle::Order::sequential);
  REQUIRE_THROWS_WITH(jiggle::evaluate(model, beyond), Catch::Contains("label 3 is outside the model's 3 classes"));
}
