#pragma once
// Storage encodings of one weight tensor in an export. A tensor is viewed as a matrix of
// rows = shape[0] (1 for a scalar) and cols = numel / rows, row-major. "Kept" entries are those
// whose mask is 1 (or, without a mask, every entry):
//   dense:   values[numel]
//   bitmask: bits[ceil(numel/8)], entry i kept <=> bit (i % 8) of bits[i / 8] (LSB first);
//            values[kept] in row-major order
//   csr:     indptr[rows+1] (int64), indices[kept] (column, uint16 when cols <= 65536 else
//            int32), values[kept]
//   nm:      N of every M consecutive entries of a row kept (the mask must be exactly N:M and
//            cols % M == 0); values[rows * cols/M * N], positions[same] (uint8, 0..M-1, the
//            kept entries' places inside their group, ascending)
// Decoding puts zeros where entries were not kept, so decode(encode(w, mask)) == w * mask.
#include <cstdint>
#include <string>
#include <vector>

namespace topiary::compress {

enum class Encoding { kDense, kBitmask, kCsr, kNm };

// "dense", "bitmask", "csr" or "nm"; anything else is a UserError listing them.
Encoding parse_encoding(const std::string& name);
std::string encoding_name(Encoding encoding);

struct EncodedTensor {
  Encoding encoding = Encoding::kDense;
  std::vector<int64_t> shape;
  std::vector<float> values;
  std::vector<uint8_t> bits;       // bitmask
  std::vector<int64_t> indptr;     // csr
  std::vector<int32_t> indices;    // csr (narrowed to uint16 on disk when cols allow)
  std::vector<uint8_t> positions;  // nm
  int64_t n = 0, m = 0;            // nm
};

int64_t element_count(const std::vector<int64_t>& shape);
// rows and cols of the matrix view described above.
std::pair<int64_t, int64_t> matrix_view(const std::vector<int64_t>& shape);

// True when every group of m consecutive entries in each row keeps exactly n (cols % m == 0).
bool is_n_of_m(const std::vector<float>& mask, const std::vector<int64_t>& shape, int64_t n,
               int64_t m);

// `mask` may be empty (all kept). kNm needs is_n_of_m (TOPIARY_ASSERT otherwise).
EncodedTensor encode(const std::vector<float>& values, const std::vector<float>& mask,
                     const std::vector<int64_t>& shape, Encoding encoding, int64_t n = 2,
                     int64_t m = 4);

// Checks the encoded arrays against each other and the shape (sizes, index ranges, counts);
// a violation is a UserError starting with `where` (a file's arrays can be anything).
std::vector<float> decode(const EncodedTensor& tensor, const std::string& where);

}  // namespace topiary::compress
