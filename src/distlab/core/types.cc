#include "distlab/core/types.h"

#include <fmt/compile.h>
#include <fmt/format.h>

namespace distlab {

std::string to_string(MsgId id) {
  std::string out;
  assign_msg_id(id, out);
  return out;
}

// Every send, receive and drop a run records names its message: a compiled format
// (no format string parsed per message) into a buffer on the stack, then into `out`'s
// own storage.
void assign_msg_id(MsgId id, std::string& out) {
  char buffer[32];  // "4294967295.18446744073709551615" is 31 characters
  char* const end = fmt::format_to(buffer, FMT_COMPILE("{}.{}"), id.sender, id.seq);
  out.assign(buffer, end);
}

std::vector<NodeId> node_ids(std::uint32_t count) {
  std::vector<NodeId> ids;
  ids.reserve(count);
  for (std::uint32_t i = 1; i <= count; ++i) ids.push_back(i);
  return ids;
}

}  // namespace distlab
