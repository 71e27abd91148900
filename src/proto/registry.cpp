#include "proto/registry.h"

#include "proto/smb/smb_analyzer.h"

namespace trawl::proto {

namespace {
// The analyzers, in the order that breaks ties between equally sure probes.
constexpr const AnalyzerInfo* kAnalyzers[] = {
    &kSmbAnalyzer,
};
}  // namespace

std::span<const AnalyzerInfo* const> analyzers() { return kAnalyzers; }

}  // namespace trawl::proto
