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

}  // namespace

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
