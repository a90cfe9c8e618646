#pragma once
// Sparsity patterns: which sets of entries are pruned together, and the one entry point the
// trainer calls to turn scores into masks for any pattern and scope.
//
// Every pattern sees a parameter of shape [out, d1, d2, ...] as the row-major 2-D view
// [out, row_length] with row_length = d1 * d2 * ... (1 for a 1-D tensor, whose view is [out, 1]):
//  - unstructured: entries are selected one by one (selection.h).
//  - "N:M": each output row is cut into groups of M consecutive entries of its flattened row
//    (entries r*row_length + g*M ... + g*M + M-1); every group keeps its N highest scores. For a
//    linear weight [out, in] the groups run along the input dimension; for a convolution weight
//    [F, E, w] they run along the flattened (E, w) row, i.e. over kernel positions first.
//    row_length must be a multiple of M.
//  - "RxC" blocks: the 2-D view is tiled by R-row, C-column blocks from the top-left; out must be
//    a multiple of R and row_length a multiple of C (partial edge blocks are not supported).
//  - "rows" (also "neurons", "channels"): whole output rows (a neuron of a linear layer, a filter
//    of a convolution, one entry of a bias).
// A block's or row's score is the sum of its entries' scores (for magnitude scores, the L1 norm
// of its weights, as in Li et al. 2017). An already-pruned entry scores -inf, so a unit that
// holds one scores -inf and is pruned first: keeping it would revive that entry.
// Ties are broken by tensor order, then unit index (row-major), never by a kernel.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "prune/choices.h"
#include "prune/selection.h"

namespace topiary::prune {

enum class PatternKind { kUnstructured, kNOfM, kBlocks, kRows };

struct Pattern {
  PatternKind kind = PatternKind::kUnstructured;
  int64_t n = 0, m = 0;                    // N:M: keep n of every m (1 <= n < m)
  int64_t block_rows = 1, block_cols = 1;  // RxC blocks
  // The canonical spelling: "unstructured", "2:4", "4x4", "rows". parse_pattern(to_string()) is
  // the same pattern.
  std::string to_string() const;
  // The sparsity the pattern fixes (1 - n/m for N:M), or -1 when any sparsity is possible.
  double fixed_sparsity() const;
  bool operator==(const Pattern&) const = default;
};

// "unstructured" | "N:M" (e.g. "2:4") | "RxC" (e.g. "1x4", "4x4") | "rows" | "neurons" |
// "channels". Throws UserError (without location; the recipe parser adds it) saying what is valid.
Pattern parse_pattern(const std::string& text);

// Throws UserError naming `parameter`, its shape and what would fit when `shape` cannot be cut
// into the pattern's groups or blocks. The trainer calls it for every target before step 0.
void check_pattern_fits(const Pattern& pattern, const std::string& parameter,
                        std::span<const int64_t> shape);

// Writes every tensor's mask (1 keeps, 0 prunes) from its scores.
//  - unstructured, blocks, rows: layer scope prunes round(sparsity * units) of each tensor's units;
//    global scope ranks the units of all tensors together (blocks: round(sparsity * all blocks);
//    rows, whose lengths differ between tensors: the lowest-ranked rows whose entries come nearest
//    to sparsity * all entries, the larger count on a tie).
//  - N:M: scope has no effect; each group prunes min(M - N, floor(sparsity * M)) entries, so the
//    mask is exactly N:M once sparsity reaches 1 - N/M, and a gradual schedule fills groups evenly.
// `names` (may be empty) name the tensors in errors; `shapes[i]` must hold
// tensors[i].scores.size() entries.
void select_masks(std::span<ScoredTensor> tensors, std::span<const std::vector<int64_t>> shapes,
                  std::span<const std::string> names, const Pattern& pattern, Scope scope,
                  double sparsity);

}  // namespace topiary::prune
