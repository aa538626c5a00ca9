#include "distlab/core/types.h"

#include <fmt/compile.h>
#include <fmt/format.h>

namespace distlab {

// Every send, receive and drop a run records names its message: the format is compiled
// (FMT_COMPILE), so no format string is parsed per message.
std::string to_string(MsgId id) { return fmt::format(FMT_COMPILE("{}.{}"), id.sender, id.seq); }

std::vector<NodeId> node_ids(std::uint32_t count) {
  std::vector<NodeId> ids;
  ids.reserve(count);
  for (std::uint32_t i = 1; i <= count; ++i) ids.push_back(i);
  return ids;
}

}  // namespace distlab
