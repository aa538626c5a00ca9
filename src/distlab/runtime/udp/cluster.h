// A cluster file: which node listens where, for processes on one host or several.
//
//   # cluster.toml
//   name = "lab"              # optional: the cluster name bound into sealed frames
//   key_file = "lab.key"      # optional: the cluster key (seal.h), beside this file
//
//   [[node]]
//   id = 1
//   address = "127.0.0.1:7001"
//
//   [[node]]
//   id = 2
//   address = "10.0.0.2:7001"
//   interval = "500ms"        # optional per-node settings (heartbeat senders)
//
// Everything is validated: a duplicate id, an unknown key, a bad address or a value
// of the wrong type is an InputError naming the file and line.
//
//   Cluster c = read_cluster_file("cluster.toml");
//   c.address_of(2)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/core/types.h"
#include "distlab/runtime/udp/address.h"

namespace distlab::udp {

struct ClusterNode {
  NodeId id = 0;
  Address address;
  std::optional<Nanos> interval_ns;  // a heartbeat sender's own interval
  std::optional<Nanos> jitter_ns;
  std::size_t line = 0;
};

// The cluster name when the file gives none.
inline constexpr std::string_view kDefaultClusterName = "distlab";

struct Cluster {
  std::vector<ClusterNode> nodes;  // sorted by id
  std::string source;
  std::string name = std::string(kDefaultClusterName);
  std::string key_file;  // as the file gives it, made relative to the file's folder; empty: none

  std::vector<NodeId> ids() const;
  const ClusterNode* find(NodeId id) const;
};

// Throws InputError for anything malformed, naming the file and line.
Cluster parse_cluster(std::string_view text, const std::string& source);
Cluster read_cluster_file(const std::string& path);

// The file for the given nodes, all on one host: what `distlab launch` writes.
std::string cluster_text(const std::vector<ClusterNode>& nodes);

}  // namespace distlab::udp
