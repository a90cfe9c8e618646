#pragma once
// Selection for structured patterns (see pattern.h for the exact grouping and tie rules). Shapes
// are the 2-D views [rows, row_length]; callers check that the pattern fits first.
#include <cstdint>
#include <span>

#include "prune/selection.h"

namespace topiary::prune {

struct RowView {
  int64_t rows = 0;
  int64_t row_length = 0;
};

// Each group of m consecutive entries of a row prunes its `pruned_per_group` lowest scores
// (ties: lower flat index first).
void select_n_of_m(ScoredTensor tensor, int64_t m, int64_t pruned_per_group);

// Blocks of block_rows x block_cols; `global` ranks the blocks of all tensors together.
void select_blocks(std::span<ScoredTensor> tensors, std::span<const RowView> views,
                   int64_t block_rows, int64_t block_cols, bool global, double sparsity);

// Whole rows; `global` ranks the rows of all tensors together.
void select_rows(std::span<ScoredTensor> tensors, std::span<const RowView> views, bool global,
                 double sparsity);

}  // namespace topiary::prune
