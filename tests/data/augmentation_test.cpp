#include "jiggle/data/augmentation.hpp"

#include <vector>

#include "jiggle/random.hpp"
#include "support/catch.hpp"

namespace {

// What a shift means, written out of place: image(c, r, x) = before(c, r − down, x − right), or
// the fill where that falls outside; a flip then mirrors each row.
std::vector<double> augmented_out_of_place(const std::vector<double>& before, jiggle::Shape shape,
                                           const jiggle::AugmentationDraw& draw, double fill) {
  std::vector<double> after(before.size());
  const int h = shape.height;
  const int w = shape.width;
  for (int c = 0; c < shape.channels; ++c) {
    for (int r = 0; r < h; ++r) {
      for (int x = 0; x < w; ++x) {
        const int from_x_after_flip = draw.flip ? w - 1 - x : x;
        const int from_r = r - draw.down;
        const int from_x = from_x_after_flip - draw.right;
        const bool inside = from_r >= 0 && from_r < h && from_x >= 0 && from_x < w;
        after[static_cast<std::size_t>((c * h + r) * w + x)] =
            inside ? before[static_cast<std::size_t>((c * h + from_r) * w + from_x)] : fill;
      }
    }
  }
  return after;
}

}  // namespace

TEST_CASE("Shifts and flips in place are the shifts and flips written out of place", "[augmentation]") {
  const jiggle::Shape shape{2, 5, 4};
  std::vector<double> image(static_cast<std::size_t>(shape.size()));
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = static_cast<double>(i + 1);
  for (int down = -3; down <= 3; ++down) {
    for (int right = -3; right <= 3; ++right) {
      for (const bool flip : {false, true}) {
        const jiggle::AugmentationDraw draw{.down = down, .right = right, .flip = flip};
        std::vector<double> in_place = image;
        jiggle::apply_augmentation(draw, in_place.data(), shape, -7.0);
        INFO("down " << down << ", right " << right << ", flip " << flip);
        REQUIRE(in_place == augmented_out_of_place(image, shape, draw, -7.0));
      }
    }
  }
}

TEST_CASE("Augmentation draws cover the shifts and flip about half the images", "[augmentation]") {
  const jiggle::Augmentation both{.max_shift = 2, .horizontal_flip = true};
  jiggle::Rng rng(11);
  int flips = 0;
  std::vector<int> downs(5), rights(5);
  constexpr int kDraws = 4000;
  for (int i = 0; i < kDraws; ++i) {
    const auto draw = jiggle::draw_augmentation(both, rng);
    REQUIRE(draw.down >= -2);
    REQUIRE(draw.down <= 2);
    REQUIRE(draw.right >= -2);
    REQUIRE(draw.right <= 2);
    ++downs[static_cast<std::size_t>(draw.down + 2)];
    ++rights[static_cast<std::size_t>(draw.right + 2)];
    flips += draw.flip ? 1 : 0;
  }
  REQUIRE(flips > kDraws * 45 / 100);
  REQUIRE(flips < kDraws * 55 / 100);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(downs[static_cast<std::size_t>(i)] > kDraws / 5 * 8 / 10);
    REQUIRE(rights[static_cast<std::size_t>(i)] > kDraws / 5 * 8 / 10);
  }
  const auto none = jiggle::draw_augmentation({}, rng);
  REQUIRE((none.down == 0 && none.right == 0 && !none.flip));
  REQUIRE_THROWS_WITH((jiggle::Augmentation{.max_shift = 4}.check_fits({3, 4, 6})),
                      Catch::Contains("must be in [0, image size), got 4 for images of 4×6"));
}
