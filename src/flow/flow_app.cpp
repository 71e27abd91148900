#include "flow/flow_app.h"

#include <new>

// Under AddressSanitizer sessions use the global allocator, so a use after free stays detectable.
#if defined(__SANITIZE_ADDRESS__)
#define TRAWL_POOL_SESSIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRAWL_POOL_SESSIONS 0
#endif
#endif
#ifndef TRAWL_POOL_SESSIONS
#define TRAWL_POOL_SESSIONS 1
#endif

namespace trawl::flow {

namespace {

constexpr std::size_t kGranule = 16;
constexpr std::size_t kMaxPooled = 1024;  // larger sessions go to the global allocator

// Freed blocks by size class (size rounded up to kGranule), each list threaded through its blocks.
// One set per thread, so workers never share a list; the blocks are released at thread exit.
struct FreeLists {
  void* head[kMaxPooled / kGranule + 1] = {};
  ~FreeLists();
};
thread_local FreeLists free_lists;
thread_local bool free_lists_gone = false;  // a session outliving the thread's lists uses the global allocator

FreeLists::~FreeLists() {
  free_lists_gone = true;
  for (void*& h : head) {
    while (h) {
      void* next = *static_cast<void**>(h);
      ::operator delete(h);
      h = next;
    }
  }
}

std::size_t size_class(std::size_t size) { return (size + kGranule - 1) / kGranule; }

bool pooled(std::size_t size) { return TRAWL_POOL_SESSIONS && size <= kMaxPooled && !free_lists_gone; }

}  // namespace

void* FlowApp::operator new(std::size_t size) {
  if (!pooled(size)) return ::operator new(size);
  void*& head = free_lists.head[size_class(size)];
  if (void* p = head) {
    head = *static_cast<void**>(p);
    if (head) __builtin_prefetch(head);  // the next session's block: freed long ago, likely not in cache
    return p;
  }
  return ::operator new(size_class(size) * kGranule);
}

void FlowApp::operator delete(void* p, std::size_t size) {
  if (!p) return;
  if (!pooled(size)) return ::operator delete(p);
  void*& head = free_lists.head[size_class(size)];
  *static_cast<void**>(p) = head;
  head = p;
}

}  // namespace trawl::flow
