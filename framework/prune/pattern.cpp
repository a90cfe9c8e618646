#include "prune/pattern.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.h"
#include "prune/structured_selection.h"

namespace topiary::prune {
namespace {

constexpr const char* kValidPatterns =
    "valid: unstructured, N:M with 1 <= N < M (e.g. 2:4, 4:8), RxC blocks (e.g. 1x4, 4x4), "
    "rows (= neurons = channels)";

// A whole number >= 1 spelled with digits only.
bool parse_count(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 9) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size() && *out >= 1 &&
         text.find_first_not_of("0123456789") == std::string_view::npos;
}

bool parse_pair(const std::string& text, char separator, int64_t* a, int64_t* b) {
  const size_t at = text.find(separator);
  if (at == std::string::npos) return false;
  return parse_count(std::string_view(text).substr(0, at), a) &&
         parse_count(std::string_view(text).substr(at + 1), b);
}

RowView row_view(std::span<const int64_t> shape) {
  RowView v{1, 1};
  if (!shape.empty()) v.rows = shape[0];
  for (size_t i = 1; i < shape.size(); ++i) v.row_length *= shape[i];
  return v;
}

std::string shape_text(std::span<const int64_t> shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  out += "]";
  return out;
}

}  // namespace

std::string Pattern::to_string() const {
  switch (kind) {
    case PatternKind::kUnstructured:
      return "unstructured";
    case PatternKind::kNOfM:
      return std::to_string(n) + ":" + std::to_string(m);
    case PatternKind::kBlocks:
      return std::to_string(block_rows) + "x" + std::to_string(block_cols);
    case PatternKind::kRows:
      return "rows";
  }
  return "unstructured";
}

double Pattern::fixed_sparsity() const {
  if (kind != PatternKind::kNOfM) return -1.0;
  return 1.0 - static_cast<double>(n) / static_cast<double>(m);
}

Pattern parse_pattern(const std::string& text) {
  Pattern p;
  if (text == "unstructured") return p;
  if (text == "rows" || text == "neurons" || text == "channels") {
    p.kind = PatternKind::kRows;
    return p;
  }
  if (parse_pair(text, ':', &p.n, &p.m)) {
    if (p.n >= p.m) {
      throw UserError("pattern '" + text + "' keeps N of every M entries and needs N < M; " +
                      kValidPatterns);
    }
    p.kind = PatternKind::kNOfM;
    return p;
  }
  if (parse_pair(text, 'x', &p.block_rows, &p.block_cols)) {
    p.kind = PatternKind::kBlocks;
    return p;
  }
  throw UserError("unknown pattern '" + text + "'; " + kValidPatterns);
}

void check_pattern_fits(const Pattern& pattern, const std::string& parameter,
                        std::span<const int64_t> shape) {
  const RowView v = row_view(shape);
  const std::string prefix = "parameter '" + parameter + "' of shape " + shape_text(shape) +
                             " (seen as " + std::to_string(v.rows) + " rows of " +
                             std::to_string(v.row_length) + ")";
  if (pattern.kind == PatternKind::kNOfM && v.row_length % pattern.m != 0) {
    throw UserError(prefix + " cannot be cut into groups of " + std::to_string(pattern.m) +
                    " for pattern " + pattern.to_string() + ": the row length " +
                    std::to_string(v.row_length) + " is not a multiple of " +
                    std::to_string(pattern.m) + "; exclude it or use another pattern");
  }
  if (pattern.kind == PatternKind::kBlocks &&
      (v.rows % pattern.block_rows != 0 || v.row_length % pattern.block_cols != 0)) {
    throw UserError(prefix + " cannot be tiled by " + pattern.to_string() +
                    " blocks: rows must be a multiple of " + std::to_string(pattern.block_rows) +
                    " and the row length a multiple of " + std::to_string(pattern.block_cols) +
                    "; exclude it or use another block size");
  }
}

void select_masks(std::span<ScoredTensor> tensors, std::span<const std::vector<int64_t>> shapes,
                  std::span<const std::string> names, const Pattern& pattern, Scope scope,
                  double sparsity) {
  TOPIARY_ASSERT(shapes.size() == tensors.size(), "one shape per tensor");
  std::vector<RowView> views;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const RowView v = row_view(shapes[i]);
    TOPIARY_ASSERT(v.rows * v.row_length == static_cast<int64_t>(tensors[i].scores.size()) &&
                       tensors[i].mask.size() == tensors[i].scores.size(),
                   "shape does not match the scores");
    std::string name = std::to_string(i);  // a tensor without a name, by position
    if (i < names.size()) name = names[i];
    check_pattern_fits(pattern, name, shapes[i]);
    views.push_back(v);
  }
  const bool global = scope == Scope::kGlobal;
  switch (pattern.kind) {
    case PatternKind::kUnstructured:
      if (global) {
        select_global(tensors, sparsity);
      } else {
        select_layerwise(tensors, sparsity);
      }
      return;
    case PatternKind::kNOfM: {
      // A small epsilon so that 0.5 * 4 is 2 even when 0.5 came out of a schedule as 0.49999...
      auto per_group = static_cast<int64_t>(std::floor(sparsity * pattern.m + 1e-9));
      per_group = std::clamp<int64_t>(per_group, 0, pattern.m - pattern.n);
      for (auto& t : tensors) select_n_of_m(t, pattern.m, per_group);
      return;
    }
    case PatternKind::kBlocks:
      select_blocks(tensors, views, pattern.block_rows, pattern.block_cols, global, sparsity);
      return;
    case PatternKind::kRows:
      select_rows(tensors, views, global, sparsity);
      return;
  }
}

}  // namespace topiary::prune
