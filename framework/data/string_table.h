#pragma once
// A hash map from byte strings to a value, looked up by std::string_view: open addressing with
// linear probing in one array of slots, keys stored back to back in one buffer. `topiary
// prepare` looks up every token of the corpus twice (counting, then ids); std::unordered_map
// spent most of that time in its bucket division and in chasing one heap node per entry.
// Most tokens are at most 8 bytes: a slot keeps the key's first bytes as one 64-bit word (see
// head_word), so such a key is hashed and compared with a few word operations, without a loop
// over its bytes, a memcmp call or a visit to the key buffer; slots stay small (see Slot).
// One-byte keys skip the hash table altogether (see find_or_insert_byte).
// Iteration order is unspecified: callers sort what they need ordered.
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace topiary::data {
namespace string_table_detail {

inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint64_t load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// The 128-bit product folded to 64 bits (wyhash's "mum"): one multiply mixes every input bit
// into the low bits that pick a slot.
inline uint64_t fold_multiply(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

// keys[b] == b: the storage the table's views of one-byte keys point into.
constexpr std::array<char, 256> every_byte() {
  std::array<char, 256> keys{};
  for (size_t i = 0; i < keys.size(); ++i) keys[i] = static_cast<char>(i);
  return keys;
}

}  // namespace string_table_detail

// The first 8 bytes of `bytes` as one word. A key of at most 8 bytes is read with overlapping
// loads that never pass its end; together with its length the word then identifies the key.
inline uint64_t head_word(std::string_view bytes) {
  using string_table_detail::load32;
  using string_table_detail::load64;
  const char* p = bytes.data();
  const size_t n = bytes.size();
  if (n >= 8) return load64(p);
  if (n >= 4) return load32(p) | (load32(p + n - 4) << 32);
  if (n == 0) return 0;
  const auto byte = [&](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | (byte(n / 2) << 8) | (byte(n - 1) << 16);  // n in 1..3: every byte
}

// A hash of every byte and of the length, 8 bytes at a time (wyhash-style).
inline uint64_t hash_bytes(std::string_view bytes) {
  using string_table_detail::fold_multiply;
  using string_table_detail::load64;
  constexpr uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                     k2 = 0x8ebc6af09c88c6e3ull;
  const size_t n = bytes.size();
  uint64_t h = fold_multiply(head_word(bytes) ^ k0, n ^ k1);
  if (n <= 8) return h;
  size_t i = 8;
  for (; i + 8 <= n; i += 8) h = fold_multiply(h ^ load64(bytes.data() + i), k2);
  if (i < n) h = fold_multiply(h ^ load64(bytes.data() + n - 8), k2);  // the tail, overlapping
  return h;
}

template <typename Value>
class StringTable {
 public:
  size_t size() const { return size_; }

  // The value of `key`, inserted as `initial` when absent.
  Value& find_or_insert(std::string_view key, Value initial) {
    if (key.size() == 1) return find_or_insert_byte(key[0], std::move(initial));
    if (key.size() >= kFree) throw std::length_error("StringTable: a key of 4 GiB or more");
    if ((in_slots_ + 1) * 4 > slots_.size() * 3) grow();  // load factor <= 3/4
    const size_t i = probe(key, hash_bytes(key));
    Slot& slot = slots_[i];
    if (slot.length == kFree) {
      slot = Slot{head_word(key), static_cast<uint32_t>(key.size()), std::move(initial)};
      offsets_[i] = keys_.size();
      keys_.append(key);
      ++in_slots_;
      ++size_;
    }
    return slot.value;
  }

  // nullptr when absent.
  const Value* find(std::string_view key) const {
    if (key.size() == 1) {
      const auto byte = static_cast<unsigned char>(key[0]);
      return byte_used_[byte] ? &byte_values_[byte] : nullptr;
    }
    if (slots_.empty()) return nullptr;
    const Slot& slot = slots_[probe(key, hash_bytes(key))];
    return slot.length == kFree ? nullptr : &slot.value;
  }

  // visit(std::string_view key, const Value& value) for every entry.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (size_t byte = 0; byte < 256; ++byte) {
      if (byte_used_[byte]) visit(std::string_view(&kByteKeys[byte], 1), byte_values_[byte]);
    }
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].length != kFree) visit(key_at(i), slots_[i].value);
    }
  }

 private:
  static constexpr uint32_t kFree = UINT32_MAX;  // the length of a free slot
  static constexpr std::array<char, 256> kByteKeys = string_table_detail::every_byte();

  // One-byte keys (punctuation, "a", "s": about a quarter of a corpus's word tokens) live in a
  // table indexed by the byte: no hashing, no probing.
  Value& find_or_insert_byte(char key, Value initial) {
    const auto byte = static_cast<unsigned char>(key);
    if (!byte_used_[byte]) {
      byte_used_[byte] = true;
      byte_values_[byte] = std::move(initial);
      ++size_;
    }
    return byte_values_[byte];
  }

  // Small (16 bytes for an int32 value), so that a lookup of a key of at most 8 bytes touches
  // one slot and nothing else, and more of the table stays in cache. Where the key's bytes lie
  // in keys_ is kept apart, in offsets_[same index]: only longer keys need it.
  struct Slot {
    uint64_t head = 0;  // head_word(key)
    uint32_t length = kFree;
    Value value{};
  };

  std::string_view key_at(size_t i) const {
    return std::string_view(keys_).substr(offsets_[i], slots_[i].length);
  }

  // Equal head words and lengths decide keys of at most 8 bytes; up to 16 bytes, the last 8
  // (overlapping the head) decide the rest; longer keys compare the rest with memcmp.
  bool holds(size_t i, std::string_view key, uint64_t head) const {
    using string_table_detail::load64;
    const Slot& slot = slots_[i];
    const size_t n = key.size();
    if (slot.head != head || slot.length != n) return false;
    if (n <= 8) return true;
    const char* stored = keys_.data() + offsets_[i];
    if (n <= 16) return load64(stored + n - 8) == load64(key.data() + n - 8);
    return std::memcmp(stored + 8, key.data() + 8, n - 8) == 0;
  }

  // The index of the slot holding `key`, or of the free slot where it belongs. slots_.size()
  // is a power of 2.
  size_t probe(std::string_view key, uint64_t hash) const {
    const size_t mask = slots_.size() - 1;
    const uint64_t head = head_word(key);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      if (slots_[i].length == kFree || holds(i, key, head)) return i;
    }
  }

  void grow() {
    std::vector<Slot> old_slots = std::move(slots_);
    std::vector<size_t> old_offsets = std::move(offsets_);
    slots_.assign(old_slots.empty() ? 64 : old_slots.size() * 2, Slot{});
    offsets_.assign(slots_.size(), 0);
    const size_t mask = slots_.size() - 1;
    for (size_t k = 0; k < old_slots.size(); ++k) {
      if (old_slots[k].length == kFree) continue;
      const std::string_view key(keys_.data() + old_offsets[k], old_slots[k].length);
      size_t i = hash_bytes(key) & mask;
      while (slots_[i].length != kFree) i = (i + 1) & mask;
      slots_[i] = std::move(old_slots[k]);
      offsets_[i] = old_offsets[k];
    }
  }

  std::array<Value, 256> byte_values_{};
  std::array<bool, 256> byte_used_{};
  std::vector<Slot> slots_;
  std::vector<size_t> offsets_;  // of each slot's key in keys_
  std::string keys_;
  size_t in_slots_ = 0;  // keys in slots_
  size_t size_ = 0;      // all keys
};

}  // namespace topiary::data
