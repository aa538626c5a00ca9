#include "distlab/algo/snapshot/snapshot.h"

#include <fmt/format.h>

namespace distlab::snapshot {

std::string to_string(SnapshotId id) { return fmt::format("{}.{}", id.initiator, id.seq); }

}  // namespace distlab::snapshot
