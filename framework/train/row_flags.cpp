#include "train/row_flags.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>

namespace topiary::train {
namespace {

void flag_rows_on_host(torch::Tensor& grad, torch::Tensor& flags) {
  const int64_t rows = grad.size(0);
  const int64_t width = grad.size(1);
  auto* bits = static_cast<uint32_t*>(grad.data_ptr());
  auto* out = flags.data_ptr<uint8_t>();
  for (int64_t r = 0; r < rows; ++r) {
    uint32_t* row = bits + r * width;
    uint32_t any = 0;
    uint32_t signs = 0;
    for (int64_t c = 0; c < width; ++c) {
      any |= row[c] & 0x7fffffffu;
      signs |= row[c];
    }
    out[r] = any != 0 ? 1 : 0;
    if (any == 0 && signs != 0) std::fill(row, row + width, 0u);
  }
}

// True when any bit of the row is set (a -0 counts, so the result is masked_fill_'s exactly).
bool row_has_bits(const uint32_t* row, int64_t width) {
  uint32_t any = 0;
  for (int64_t c = 0; c < width; ++c) any |= row[c];
  return any != 0;
}

}  // namespace

void mask_rows_read(torch::Tensor& grad, const torch::Tensor& pruned) {
  const bool host_rows = grad.is_cpu() && grad.dim() == 2 && grad.is_contiguous() &&
                         grad.scalar_type() == torch::kFloat32 && pruned.is_contiguous() &&
                         pruned.scalar_type() == torch::kBool && pruned.sizes() == grad.sizes();
  if (!host_rows) {
    grad.masked_fill_(pruned, 0.0f);
    return;
  }
  const int64_t rows = grad.size(0);
  const int64_t width = grad.size(1);
  auto* bits = static_cast<uint32_t*>(grad.data_ptr());
  const bool* gone = pruned.data_ptr<bool>();
  for (int64_t r = 0; r < rows; ++r) {
    uint32_t* row = bits + r * width;
    if (!row_has_bits(row, width)) continue;
    const bool* row_gone = gone + r * width;
    for (int64_t c = 0; c < width; ++c) {
      if (row_gone[c]) row[c] = 0u;
    }
  }
}

torch::Tensor flag_touched_rows(torch::Tensor& grad) {
  torch::NoGradGuard no_grad;
  torch::Tensor flags = torch::empty({grad.size(0)}, grad.options().dtype(torch::kUInt8));
  if (grad.is_cpu()) {
    flag_rows_on_host(grad, flags);
    return flags;
  }
  const torch::Tensor touched = grad.ne(0).any(1);
  grad.masked_fill_(touched.logical_not().unsqueeze(1), 0.0f);
  flags.copy_(touched);
  return flags;
}

}  // namespace topiary::train
