#include "core/time_spec.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace topiary {
namespace {

std::string parse_error(const std::string& text) {
  try {
    TimeSpec::parse(text);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(TimeSpec, ParsesEachUnit) {
  EXPECT_EQ(TimeSpec::parse("500it"), (TimeSpec{500, TimeUnit::kIterations}));
  EXPECT_EQ(TimeSpec::parse("2.5ep"), (TimeSpec{2.5, TimeUnit::kEpochs}));
  EXPECT_EQ(TimeSpec::parse("0ep"), (TimeSpec{0, TimeUnit::kEpochs}));
  EXPECT_EQ(TimeSpec::parse("123tok"), (TimeSpec{123, TimeUnit::kTokens}));
  EXPECT_EQ(TimeSpec::parse("3ktok"), (TimeSpec{3000, TimeUnit::kTokens}));
  EXPECT_EQ(TimeSpec::parse("3Ktok"), (TimeSpec{3000, TimeUnit::kTokens}));
  EXPECT_EQ(TimeSpec::parse("10Mtok"), (TimeSpec{1e7, TimeUnit::kTokens}));
  EXPECT_EQ(TimeSpec::parse("1.5Gtok"), (TimeSpec{1.5e9, TimeUnit::kTokens}));
}

TEST(TimeSpec, RejectsMalformedText) {
  EXPECT_EQ(parse_error("3"), "'3' has no unit; write it as 500it, 2.5ep or 10Mtok");
  EXPECT_EQ(parse_error("3days").rfind("'3days' has unknown unit 'days'", 0), 0u);
  EXPECT_EQ(parse_error("2.5it"), "'2.5it': iterations must be a whole number");
  for (const char* text : {"", "ep", "-1it", "+1it", " 3ep", ".5ep", "3.ep", "infep", "0x10it"}) {
    EXPECT_NE(parse_error(text), "(accepted)") << text;
  }
  EXPECT_NE(parse_error("1e3it"), "(accepted)");  // no exponent form
  EXPECT_NE(parse_error("3Ttok"), "(accepted)");
  EXPECT_NE(parse_error("3ep "), "(accepted)");
}

TEST(TimeSpec, PrintsBackTheSameWay) {
  for (const char* text : {"500it", "2.5ep", "0ep", "10Mtok", "2.5Mtok", "1.5ktok", "123tok",
                           "1Gtok", "0.1ep", "0.333ep", "1234567it", "1.25Gtok"}) {
    EXPECT_EQ(TimeSpec::parse(text).to_string(), text);
  }
  // Alternative spellings normalise to one form.
  EXPECT_EQ(TimeSpec::parse("1500tok").to_string(), "1.5ktok");
  EXPECT_EQ(TimeSpec::parse("3Ktok").to_string(), "3ktok");
  EXPECT_EQ(TimeSpec::parse("1000000tok").to_string(), "1Mtok");
  EXPECT_EQ(TimeSpec::parse("2.50ep").to_string(), "2.5ep");
}

TEST(TimeSpec, ToStringRoundTripsExactly) {
  for (double value : {0.1, 1.0 / 3.0, 2.0 / 3.0 * 1e6, 12345.678, 1e-7}) {
    for (TimeUnit unit : {TimeUnit::kEpochs, TimeUnit::kTokens}) {
      const TimeSpec spec{value, unit};
      EXPECT_EQ(TimeSpec::parse(spec.to_string()), spec) << spec.to_string();
    }
  }
  EXPECT_EQ(TimeSpec::parse(TimeSpec{4e15, TimeUnit::kIterations}.to_string()).value, 4e15);
}

TEST(TimeSpec, ConvertsToSteps) {
  const StepGeometry geometry{100, 2048.0};
  EXPECT_EQ(TimeSpec::parse("500it").to_steps(geometry), 500);
  EXPECT_EQ(TimeSpec::parse("2.5ep").to_steps(geometry), 250);
  EXPECT_EQ(TimeSpec::parse("0ep").to_steps(geometry), 0);
  EXPECT_EQ(TimeSpec::parse("1Mtok").to_steps(geometry), 488);              // 1e6 / 2048 = 488.28
  EXPECT_EQ(TimeSpec::parse("0.333ep").to_steps(StepGeometry{3, 1.0}), 1);  // rounds 0.999
  EXPECT_EQ(TimeSpec::parse("0.5ep").to_steps(StepGeometry{3, 1.0}), 2);    // 1.5 rounds up
  // Tokens per step below one are clamped rather than multiplying steps.
  EXPECT_EQ(TimeSpec::parse("10tok").to_steps(StepGeometry{1, 0.5}), 10);
}

}  // namespace
}  // namespace topiary
