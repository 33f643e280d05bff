#include "jiggle/data/csv.hpp"

#include <string>

#include "jiggle/data/batches.hpp"
#include "support/catch.hpp"
#include "support/idx_writer.hpp"

TEST_CASE("A CSV of class labels becomes in-memory data, header and CR LF allowed", "[csv]") {
  jiggle_test::TemporaryFolder folder("csv-classes");
  jiggle_test::write_text(folder / "a.csv", "x,y,label\r\n0.5, -1e3 ,2\r\n1,2.25,0\r\n\r\n");
  const jiggle::ClassificationData data = jiggle::read_csv_classification(folder / "a.csv", {.header = true});
  REQUIRE(data.size() == 2);
  REQUIRE(data.sample_shape() == jiggle::vector_shape(2));
  REQUIRE(data.features(0)[1] == -1000.0f);
  jiggle::Batches<float, jiggle::ClassificationData> batches(data, 2, jiggle::Order::sequential);
  REQUIRE(batches.batch(0).targets == std::vector<std::int32_t>{2, 0});
}

TEST_CASE("A CSV of real targets becomes in-memory data, with the features' shape if given", "[csv]") {
  jiggle_test::TemporaryFolder folder("csv-regression");
  jiggle_test::write_text(folder / "r.csv", "1,2,3,4,0.5,-0.5\n5,6,7,8,1.5,2.5\n");
  const jiggle::RegressionData data =
      jiggle::read_csv_regression(folder / "r.csv", {.target_columns = 2, .sample_shape = jiggle::Shape{1, 2, 2}});
  REQUIRE(data.size() == 2);
  REQUIRE(data.target_size() == 2);
  REQUIRE(data.sample_shape() == jiggle::Shape{1, 2, 2});
  jiggle::Batches<double, jiggle::RegressionData> batches(data, 2, jiggle::Order::sequential);
  REQUIRE(batches.batch(0).targets(1, 1) == 2.5);
  REQUIRE(batches.batch(0).inputs(3, 1) == 8.0);
  REQUIRE_THROWS_WITH(
      jiggle::read_csv_regression(folder / "r.csv", {.target_columns = 2, .sample_shape = jiggle::Shape{1, 2, 3}}),
      Catch::Contains("r.csv: 4 features cannot take the sample shape 1×2×3"));
}

TEST_CASE("A CSV is read strictly, each refusal naming the file, the line and the column", "[csv]") {
  jiggle_test::TemporaryFolder folder("csv-strict");
  const auto path = folder / "bad.csv";
  const auto refusal = [&](const std::string& text, jiggle::CsvOptions options = {}) -> std::string {
    jiggle_test::write_text(path, text);
    try {
      jiggle::read_csv_regression(path, options);
    } catch (const jiggle::Error& error) {
      return error.what();
    }
    return "accepted";
  };
  const auto label_refusal = [&](const std::string& text) -> std::string {
    jiggle_test::write_text(path, text);
    try {
      jiggle::read_csv_classification(path);
    } catch (const jiggle::Error& error) {
      return error.what();
    }
    return "accepted";
  };
  using Catch::Contains;
  REQUIRE_THAT(refusal("1,2\n3,abc\n"), Contains("bad.csv: line 2, column 2: 'abc' is not a number"));
  REQUIRE_THAT(refusal("1,2\n3,4x\n"), Contains("line 2, column 2: '4x' is not a number"));
  REQUIRE_THAT(refusal("1,2\n3,\n"), Contains("line 2, column 2: the field is empty"));
  REQUIRE_THAT(refusal("1,2\n3\n"), Contains("line 2 has 1 fields, the first line 2"));
  REQUIRE_THAT(refusal("1,2\n3,4,5\n"), Contains("line 2 has more than the 2 fields of the first line"));
  REQUIRE_THAT(refusal("1,2\n\n3,4\n"), Contains("line 2 is blank, but more lines follow it"));
  REQUIRE_THAT(refusal("1,nan\n"), Contains("line 1, column 2: 'nan' is not finite"));
  REQUIRE_THAT(refusal("1,1e999\n"), Contains("line 1, column 2: '1e999' is out of the range of a float"));
  REQUIRE_THAT(refusal("1\n"), Contains("line 1 has 1 fields, but 1 target columns and at least one feature"));
  REQUIRE_THAT(refusal(""), Contains("bad.csv: holds no samples"));
  REQUIRE_THAT(refusal("a,b\n", {.header = true}), Contains("bad.csv: holds no samples"));
  REQUIRE_THAT(refusal("1,\"2\"\n"), Contains("'\"2\"' is not a number"));
  REQUIRE_THAT(label_refusal("1,2\n3,-1\n"), Contains("line 2, column 2: '-1' is not a class label"));
  REQUIRE_THAT(label_refusal("1,2.5\n"), Contains("line 1, column 2: '2.5' is not a class label"));
  REQUIRE_THAT(label_refusal("1,99999999999\n"), Contains("'99999999999' is not a class label"));
  REQUIRE_THAT(refusal(std::string(50, 'a') + ",1\n"), Contains("...' is not a number"));
  REQUIRE_THROWS_WITH(jiggle::read_csv_regression(folder / "missing.csv"), Contains("missing.csv: cannot open it"));
}
