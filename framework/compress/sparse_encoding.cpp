#include "compress/sparse_encoding.h"

#include "core/error.h"

namespace topiary::compress {

Encoding parse_encoding(const std::string& name) {
  if (name == "dense") return Encoding::kDense;
  if (name == "bitmask") return Encoding::kBitmask;
  if (name == "csr") return Encoding::kCsr;
  if (name == "nm") return Encoding::kNm;
  throw UserError("unknown export format '" + name + "'; known: dense, bitmask, csr, nm");
}

std::string encoding_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::kDense:
      return "dense";
    case Encoding::kBitmask:
      return "bitmask";
    case Encoding::kCsr:
      return "csr";
    case Encoding::kNm:
      return "nm";
  }
  return "?";
}

int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::pair<int64_t, int64_t> matrix_view(const std::vector<int64_t>& shape) {
  const int64_t numel = element_count(shape);
  const int64_t rows = shape.empty() ? 1 : shape[0];
  return {rows, rows > 0 ? numel / rows : 0};
}

bool is_n_of_m(const std::vector<float>& mask, const std::vector<int64_t>& shape, int64_t n,
               int64_t m) {
  const auto [rows, cols] = matrix_view(shape);
  if (mask.empty() || m <= 0 || n < 0 || n > m || cols % m != 0) return false;
  for (int64_t g = 0; g < rows * cols; g += m) {
    int64_t kept = 0;
    for (int64_t i = 0; i < m; ++i) kept += mask[static_cast<size_t>(g + i)] != 0.0f ? 1 : 0;
    if (kept != n) return false;
  }
  return true;
}

EncodedTensor encode(const std::vector<float>& values, const std::vector<float>& mask,
                     const std::vector<int64_t>& shape, Encoding encoding, int64_t n, int64_t m) {
  const int64_t numel = element_count(shape);
  TOPIARY_ASSERT(static_cast<int64_t>(values.size()) == numel, "encode: values/shape mismatch");
  TOPIARY_ASSERT(mask.empty() || mask.size() == values.size(), "encode: mask/values mismatch");
  auto kept = [&](int64_t i) { return mask.empty() || mask[static_cast<size_t>(i)] != 0.0f; };
  EncodedTensor out;
  out.encoding = encoding;
  out.shape = shape;
  const auto [rows, cols] = matrix_view(shape);
  switch (encoding) {
    case Encoding::kDense:
      out.values.resize(values.size());
      for (int64_t i = 0; i < numel; ++i)
        out.values[static_cast<size_t>(i)] = kept(i) ? values[static_cast<size_t>(i)] : 0.0f;
      break;
    case Encoding::kBitmask:
      out.bits.assign(static_cast<size_t>((numel + 7) / 8), 0);
      for (int64_t i = 0; i < numel; ++i) {
        if (!kept(i)) continue;
        out.bits[static_cast<size_t>(i / 8)] |= static_cast<uint8_t>(1u << (i % 8));
        out.values.push_back(values[static_cast<size_t>(i)]);
      }
      break;
    case Encoding::kCsr:
      out.indptr.push_back(0);
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cols; ++c) {
          if (!kept(r * cols + c)) continue;
          out.indices.push_back(static_cast<int32_t>(c));
          out.values.push_back(values[static_cast<size_t>(r * cols + c)]);
        }
        out.indptr.push_back(static_cast<int64_t>(out.values.size()));
      }
      break;
    case Encoding::kNm:
      TOPIARY_ASSERT(is_n_of_m(mask, shape, n, m), "encode: mask is not N:M");
      out.n = n;
      out.m = m;
      for (int64_t g = 0; g < numel; g += m) {
        for (int64_t i = 0; i < m; ++i) {
          if (!kept(g + i)) continue;
          out.positions.push_back(static_cast<uint8_t>(i));
          out.values.push_back(values[static_cast<size_t>(g + i)]);
        }
      }
      break;
  }
  return out;
}

std::vector<float> decode(const EncodedTensor& t, const std::string& where) {
  for (int64_t d : t.shape) {
    if (d < 0 || d > (int64_t{1} << 40)) throw UserError(where + ": bad shape");
  }
  const int64_t numel = element_count(t.shape);
  if (numel > (int64_t{1} << 36)) throw UserError(where + ": shape too large");
  const auto [rows, cols] = matrix_view(t.shape);
  auto fail = [&](const std::string& why) { throw UserError(where + ": " + why); };
  std::vector<float> out(static_cast<size_t>(numel), 0.0f);
  switch (t.encoding) {
    case Encoding::kDense:
      if (static_cast<int64_t>(t.values.size()) != numel) fail("values do not match the shape");
      out = t.values;
      break;
    case Encoding::kBitmask: {
      if (static_cast<int64_t>(t.bits.size()) != (numel + 7) / 8)
        fail("bitmask length does not match the shape");
      size_t next = 0;
      for (int64_t i = 0; i < numel; ++i) {
        if (!((t.bits[static_cast<size_t>(i / 8)] >> (i % 8)) & 1u)) continue;
        if (next >= t.values.size()) fail("fewer values than set bits");
        out[static_cast<size_t>(i)] = t.values[next++];
      }
      if (next != t.values.size()) fail("more values than set bits");
      break;
    }
    case Encoding::kCsr: {
      if (static_cast<int64_t>(t.indptr.size()) != rows + 1 || t.indptr.front() != 0 ||
          t.indptr.back() != static_cast<int64_t>(t.values.size()) ||
          t.indices.size() != t.values.size())
        fail("csr arrays do not match each other or the shape");
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t begin = t.indptr[static_cast<size_t>(r)];
        const int64_t end = t.indptr[static_cast<size_t>(r + 1)];
        // Checked per row: a non-monotone indptr may overshoot the values before it comes back.
        if (begin > end || end > static_cast<int64_t>(t.values.size()))
          fail("csr indptr decreases or runs past the values");
        for (int64_t k = begin; k < end; ++k) {
          const int64_t c = t.indices[static_cast<size_t>(k)];
          if (c < 0 || c >= cols) fail("csr column index out of range");
          out[static_cast<size_t>(r * cols + c)] = t.values[static_cast<size_t>(k)];
        }
      }
      break;
    }
    case Encoding::kNm: {
      if (t.m <= 0 || t.n < 0 || t.n > t.m || t.m > 255 || cols % t.m != 0)
        fail("bad N:M parameters");
      const int64_t expected = numel / t.m * t.n;
      if (static_cast<int64_t>(t.values.size()) != expected ||
          static_cast<int64_t>(t.positions.size()) != expected)
        fail("N:M arrays do not match the shape");
      for (int64_t k = 0; k < expected; ++k) {
        const int64_t group = k / t.n;
        const int64_t position = t.positions[static_cast<size_t>(k)];
        if (position >= t.m) fail("N:M position out of range");
        out[static_cast<size_t>(group * t.m + position)] = t.values[static_cast<size_t>(k)];
      }
      break;
    }
  }
  return out;
}

}  // namespace topiary::compress
