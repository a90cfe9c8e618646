#pragma once
// A hash map from byte strings to a value, looked up by std::string_view: open addressing with
// linear probing in one array of slots, keys stored back to back in one buffer. `topiary
// prepare` looks up every token of the corpus twice (counting, then ids); std::unordered_map
// spent most of that time in its bucket division and in chasing one heap node per entry.
// Iteration order is unspecified: callers sort what they need ordered.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace topiary::data {

// FNV-1a with a final avalanche (splitmix64's), so the low bits that pick a slot mix every byte.
inline uint64_t hash_bytes(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

template <typename Value>
class StringTable {
 public:
  size_t size() const { return size_; }

  // The value of `key`, inserted as `initial` when absent.
  Value& find_or_insert(std::string_view key, Value initial) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();  // load factor <= 3/4
    const uint64_t hash = hash_bytes(key);
    Slot* slot = probe(key, hash);
    if (!slot->used) {
      *slot = Slot{hash, keys_.size(), key.size(), std::move(initial), true};
      keys_.append(key);
      ++size_;
    }
    return slot->value;
  }

  // nullptr when absent.
  const Value* find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const Slot* slot = const_cast<StringTable*>(this)->probe(key, hash_bytes(key));
    return slot->used ? &slot->value : nullptr;
  }

  // visit(std::string_view key, const Value& value) for every entry.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const Slot& slot : slots_) {
      if (slot.used) visit(std::string_view(keys_).substr(slot.offset, slot.length), slot.value);
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    size_t offset = 0;  // into keys_
    size_t length = 0;
    Value value{};
    bool used = false;
  };

  // The slot holding `key`, or the empty slot where it belongs. slots_.size() is a power of 2.
  Slot* probe(std::string_view key, uint64_t hash) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (!slot.used) return &slot;
      if (slot.hash == hash && std::string_view(keys_).substr(slot.offset, slot.length) == key) {
        return &slot;
      }
    }
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    const size_t mask = slots_.size() - 1;
    for (Slot& slot : old) {
      if (!slot.used) continue;
      size_t i = slot.hash & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = std::move(slot);
    }
  }

  std::vector<Slot> slots_;
  std::string keys_;
  size_t size_ = 0;
};

}  // namespace topiary::data
