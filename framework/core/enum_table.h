#pragma once
// A choice the user names in text (a recipe key, a checkpoint attribute) and the code keeps as an
// enum. One table of (value, name) pairs says how each value is spelled: parsing, printing and
// the list of known names in error messages all read it, so they cannot drift apart, and adding
// a value is one line. Table order is the order error messages list the names in.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace topiary {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

template <typename E, std::size_t N>
class EnumTable {
 public:
  constexpr explicit EnumTable(const std::array<EnumName<E>, N>& entries) : entries_(entries) {}

  // The value spelled `name` exactly, or nullopt.
  constexpr std::optional<E> parse(std::string_view name) const {
    for (const auto& entry : entries_) {
      if (entry.name == name) return entry.value;
    }
    return std::nullopt;
  }

  // The spelling of `value`; a value missing from the table is a bug.
  std::string_view name(E value) const {
    for (const auto& entry : entries_) {
      if (entry.value == value) return entry.name;
    }
    TOPIARY_ASSERT(false, "enum value missing from its name table");
    return {};
  }

  // Every name, in table order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(N);
    for (const auto& entry : entries_) out.emplace_back(entry.name);
    return out;
  }

  // "a, b, c": the names as error messages list them.
  std::string joined() const {
    std::string out;
    for (const auto& entry : entries_) {
      if (!out.empty()) out += ", ";
      out += entry.name;
    }
    return out;
  }

 private:
  std::array<EnumName<E>, N> entries_;
};

// make_enum_table<Kind>({{Kind::kA, "a"}, {Kind::kB, "b"}}): the count comes from the list.
template <typename E, std::size_t N>
constexpr EnumTable<E, N> make_enum_table(const EnumName<E> (&entries)[N]) {
  std::array<EnumName<E>, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = entries[i];
  return EnumTable<E, N>(out);
}

}  // namespace topiary
