#include "distlab/runtime/udp/cluster.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "distlab/core/duration.h"
#include "distlab/core/error.h"

namespace distlab::udp {
namespace {

constexpr std::size_t kMaxClusterName = 64;

[[noreturn]] void bad(const std::string& source, std::size_t line, std::string_view why) {
  throw InputError(fmt::format("{}:{}: {}", source, line, why));
}

std::size_t line_of(const toml::node& n) { return n.source().begin.line; }

Nanos duration_value(const std::string& source, const toml::node& n, std::string_view key) {
  const auto text = n.value<std::string>();
  if (!text) bad(source, line_of(n), fmt::format("'{}' must be a duration in quotes, e.g. \"500ms\"", key));
  try {
    const Nanos d = parse_duration(*text);
    if (d <= 0) bad(source, line_of(n), fmt::format("'{}' must be longer than 0", key));
    return d;
  } catch (const InputError& e) {
    bad(source, line_of(n), fmt::format("'{}': {}", key, e.what()));
  }
}

}  // namespace

std::vector<NodeId> Cluster::ids() const {
  std::vector<NodeId> out;
  for (const auto& n : nodes) out.push_back(n.id);
  return out;
}

const ClusterNode* Cluster::find(NodeId id) const {
  auto it = std::lower_bound(nodes.begin(), nodes.end(), id, [](const ClusterNode& n, NodeId i) { return n.id < i; });
  return it != nodes.end() && it->id == id ? &*it : nullptr;
}

Cluster parse_cluster(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    bad(source, e.source().begin.line, fmt::format("not valid TOML: {}", e.description()));
  }
  Cluster cluster;
  cluster.source = source;
  for (const auto& [key, value] : root) {
    if (key.str() == "name") {
      const auto name = value.value<std::string>();
      const bool printable = name && std::all_of(name->begin(), name->end(), [](char c) { return c > ' ' && c < 127; });
      if (!name || name->empty() || name->size() > kMaxClusterName || !printable) {
        bad(source, line_of(value),
            fmt::format("'name' must be a string of 1 to {} printable characters without spaces", kMaxClusterName));
      }
      cluster.name = *name;
    } else if (key.str() == "key_file") {
      const auto file = value.value<std::string>();
      if (!file || file->empty()) bad(source, line_of(value), "'key_file' must be a file name in quotes");
      const std::filesystem::path path(*file);
      cluster.key_file =
          path.is_absolute() ? path.string() : (std::filesystem::path(source).parent_path() / path).string();
    } else if (key.str() != "node") {
      bad(source, line_of(value),
          fmt::format("unknown key '{}' (a cluster file has name, key_file and [[node]] tables)", key.str()));
    }
  }
  const toml::node* nodes = root.get("node");
  if (nodes == nullptr) bad(source, 1, "no [[node]] tables: the cluster is empty");
  const toml::array* list = nodes->as_array();
  if (list == nullptr) bad(source, line_of(*nodes), "'node' must be a list of [[node]] tables");
  for (const toml::node& item : *list) {
    const toml::table* t = item.as_table();
    if (t == nullptr) bad(source, line_of(item), "each node must be a [[node]] table");
    ClusterNode node;
    node.line = line_of(item);
    bool have_id = false;
    bool have_address = false;
    for (const auto& [key, value] : *t) {
      const std::string k(key.str());
      if (k == "id") {
        const auto id = value.value<std::int64_t>();
        if (!id || *id < 0 || *id > UINT32_MAX) bad(source, line_of(value), "'id' must be a node id (0 to 4294967295)");
        node.id = static_cast<NodeId>(*id);
        have_id = true;
      } else if (k == "address") {
        const auto address = value.value<std::string>();
        if (!address) bad(source, line_of(value), "'address' must be a string, e.g. \"127.0.0.1:7001\"");
        try {
          node.address = parse_address(*address);
        } catch (const InputError& e) {
          bad(source, line_of(value), e.what());
        }
        have_address = true;
      } else if (k == "interval") {
        node.interval_ns = duration_value(source, value, k);
      } else if (k == "jitter") {
        node.jitter_ns = duration_value(source, value, k);
      } else {
        bad(source, line_of(value),
            fmt::format("unknown key '{}' in a node (known: id, address, interval, jitter)", k));
      }
    }
    if (!have_id) bad(source, node.line, "a node without an 'id'");
    if (!have_address) bad(source, node.line, fmt::format("node {} has no 'address'", node.id));
    for (const ClusterNode& other : cluster.nodes) {
      if (other.id == node.id) {
        bad(source, node.line, fmt::format("node id {} appears twice (first at line {})", node.id, other.line));
      }
      if (other.address == node.address) {
        bad(source, node.line,
            fmt::format("nodes {} and {} share the address {}", other.id, node.id, to_string(node.address)));
      }
    }
    cluster.nodes.push_back(node);
  }
  std::sort(cluster.nodes.begin(), cluster.nodes.end(),
            [](const ClusterNode& a, const ClusterNode& b) { return a.id < b.id; });
  return cluster;
}

Cluster read_cluster_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("cannot open cluster file '{}': {}", path, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  return parse_cluster(text.str(), path);
}

std::string cluster_text(const std::vector<ClusterNode>& nodes) {
  std::string out = "# distlab cluster: where each node listens\n";
  for (const ClusterNode& n : nodes) {
    out += fmt::format("\n[[node]]\nid = {}\naddress = \"{}\"\n", n.id, to_string(n.address));
    if (n.interval_ns) out += fmt::format("interval = \"{}\"\n", format_duration(*n.interval_ns));
    if (n.jitter_ns) out += fmt::format("jitter = \"{}\"\n", format_duration(*n.jitter_ns));
  }
  return out;
}

}  // namespace distlab::udp
