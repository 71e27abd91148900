// TextBuffer: the growable byte buffer the writers format into. Appends are inline and check capacity
// once; fmt's memory_buffer copies tiny pieces through a generic loop, which was the top cost of writing
// conn.jsonl (hundreds of millions of small appends on a 1 GiB capture).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace trawl::output {

class TextBuffer {
 public:
  using value_type = char;  // for std::back_inserter (fmt::format_to)
  TextBuffer() = default;
  ~TextBuffer() { std::free(data_); }
  TextBuffer(const TextBuffer&) = delete;
  TextBuffer& operator=(const TextBuffer&) = delete;

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }
  std::string_view view() const { return {data_, size_}; }

  // Room for n more bytes; returns where they go (commit them with advance()).
  [[gnu::always_inline]] char* reserve(size_t n) {
    if (capacity_ - size_ < n) grow(n);
    return data_ + size_;
  }
  void advance(size_t n) { size_ += n; }
  void resize(size_t n) {
    if (n > size_) reserve(n - size_);
    size_ = n;
  }

  [[gnu::always_inline]] void push_back(char c) {
    reserve(1)[0] = c;
    ++size_;
  }
  [[gnu::always_inline]] void append(std::string_view s) {
    size_t n = s.size();
    if (n == 0) return;  // an empty view may have a null data(): memcpy must not see it
    copy_small(reserve(n), s.data(), n);
    size_ += n;
  }
  // Appends the decimal digits of v, two at a time, straight into the buffer.
  [[gnu::always_inline]] void append_decimal(uint64_t v) {
    if (v < 10) return push_back(char('0' + v));
    char* d = reserve(20);
    size_ += size_t(put_decimal(d, v) - d);
  }

  // Writes the decimal digits of v at d (room for 20 bytes) and returns their end.
  [[gnu::always_inline]] static char* put_decimal(char* d, uint64_t v) {
    static constexpr char kPairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char* end = d + decimal_digits(v);
    char* p = end;
    while (v >= 100) {
      p -= 2;
      std::memcpy(p, kPairs + 2 * (v % 100), 2);
      v /= 100;
    }
    if (v >= 10) std::memcpy(p - 2, kPairs + 2 * v, 2);
    else p[-1] = char('0' + v);
    return end;
  }

  // Number of decimal digits of v: from its bit length, corrected by one comparison.
  static size_t decimal_digits(uint64_t v) {
    if (v < 10) return 1;
    static constexpr uint64_t kPow10[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
                                           10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
                                           100000000000ull, 1000000000000ull, 10000000000000ull,
                                           100000000000000ull, 1000000000000000ull, 10000000000000000ull,
                                           100000000000000000ull, 1000000000000000000ull,
                                           10000000000000000000ull};
    size_t t = size_t(64 - __builtin_clzll(v | 1)) * 1233 >> 12;  // about log10(v)
    return t + 1 - (v < kPow10[t]);
  }

  // Most pieces are a few bytes (keys, numbers, short strings): two overlapping fixed-size copies
  // compile to a handful of moves instead of a call to memcpy.
  [[gnu::always_inline]] static void copy_small(char* d, const char* s, size_t n) {
    if (n >= 8 && n <= 16) {
      std::memcpy(d, s, 8);
      std::memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
      std::memcpy(d, s, 4);
      std::memcpy(d + n - 4, s + n - 4, 4);
    } else if (n >= 2 && n < 4) {
      std::memcpy(d, s, 2);
      std::memcpy(d + n - 2, s + n - 2, 2);
    } else if (n == 1) {
      d[0] = s[0];
    } else if (n > 16) {
      std::memcpy(d, s, n);
    }
  }

 private:
  [[gnu::noinline, gnu::cold]] void grow(size_t n) {
    size_t want = capacity_ ? capacity_ : 4096;
    while (want - size_ < n) want *= 2;
    char* p = static_cast<char*>(std::realloc(data_, want));
    if (!p) throw std::bad_alloc();
    data_ = p;
    capacity_ = want;
  }

  char* data_ = nullptr;
  size_t size_ = 0, capacity_ = 0;
};

}  // namespace trawl::output
