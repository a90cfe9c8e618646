#include "core/time_spec.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.h"

namespace topiary {
namespace {

// Shortest decimal text that parses back to exactly `value`, never in exponent form, so that
// TimeSpec::parse(spec.to_string()) == spec.
std::string shortest_decimal(double value) {
  char buffer[400];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed);
  return std::string(buffer, result.ptr);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

TimeSpec TimeSpec::parse(const std::string& text) {
  // Grammar: digits [ "." digits ] unit, with unit one of it, ep, tok, ktok, Ktok, Mtok, Gtok.
  // Deliberately narrower than strtod: no sign, exponent, hex, inf or leading blanks.
  size_t pos = 0;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  const size_t integer_digits = pos;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t fraction_start = pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    if (pos == fraction_start) pos = 0;  // "3." is not a number
  }
  if (integer_digits == 0 || pos == 0) {
    throw UserError("'" + text +
                    "' is not a time; expected a number with a unit: 500it, 2.5ep, 10Mtok");
  }
  double number = 0;
  std::from_chars(text.data(), text.data() + pos, number);
  if (!std::isfinite(number)) {
    throw UserError("'" + text + "' is too large to be a time");
  }
  const std::string suffix = text.substr(pos);
  TimeSpec spec;
  double scale = 1;
  if (suffix == "it") {
    spec.unit = TimeUnit::kIterations;
    if (number != std::floor(number)) {
      throw UserError("'" + text + "': iterations must be a whole number");
    }
  } else if (suffix == "ep") {
    spec.unit = TimeUnit::kEpochs;
  } else if (suffix == "tok" || suffix == "ktok" || suffix == "Ktok" || suffix == "Mtok" ||
             suffix == "Gtok") {
    spec.unit = TimeUnit::kTokens;
    if (suffix[0] == 'k' || suffix[0] == 'K') scale = 1e3;
    if (suffix[0] == 'M') scale = 1e6;
    if (suffix[0] == 'G') scale = 1e9;
  } else if (suffix.empty()) {
    throw UserError("'" + text + "' has no unit; write it as 500it, 2.5ep or 10Mtok");
  } else {
    throw UserError("'" + text + "' has unknown unit '" + suffix +
                    "'; valid units are it, ep, tok, ktok, Mtok, Gtok (e.g. 500it, 2.5ep, 10Mtok)");
  }
  spec.value = number * scale;
  return spec;
}

std::string TimeSpec::to_string() const {
  switch (unit) {
    case TimeUnit::kIterations:
      return shortest_decimal(value) + "it";
    case TimeUnit::kEpochs:
      return shortest_decimal(value) + "ep";
    case TimeUnit::kTokens: {
      // Largest prefix whose text still parses back to exactly this value: 10Mtok, 2.5ktok.
      static constexpr std::pair<double, const char*> kPrefixes[] = {
          {1e9, "Gtok"}, {1e6, "Mtok"}, {1e3, "ktok"}};
      for (const auto& [scale, suffix] : kPrefixes) {
        if (value < scale) continue;
        std::string text = shortest_decimal(value / scale) + suffix;
        if (parse(text).value == value) return text;
      }
      return shortest_decimal(value) + "tok";
    }
  }
  return shortest_decimal(value);
}

int64_t TimeSpec::to_steps(const StepGeometry& geometry) const {
  switch (unit) {
    case TimeUnit::kIterations:
      return static_cast<int64_t>(value);
    case TimeUnit::kEpochs:
      return static_cast<int64_t>(
          std::llround(value * static_cast<double>(geometry.steps_per_epoch)));
    case TimeUnit::kTokens:
      return static_cast<int64_t>(std::llround(value / std::max(1.0, geometry.tokens_per_step)));
  }
  return 0;
}

}  // namespace topiary
