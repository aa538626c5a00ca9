// The cluster key on the command line: --key-file, --epoch-file and --allow-text on
// the real commands (run, launch, monitor, node), and `distlab keygen`.
//
// Where a node keeps its epoch (seal.h's next_epoch, grown on every start): the file
// --epoch-file names; else, beside --state, STATE.epoch (so `launch` keeps one per node
// in its working folder and restarts within a launch grow it); else, beside the key
// file, KEYFILE.<cluster>.<id>.epoch.
//
//   KeyOptions keys;
//   add_key_options(*cmd, keys, {.epoch = true, .allow_text = false});
//   std::optional<udp::Sealing> s = make_sealing(keys, cluster.key_file, cluster.name, self, state, true);
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "distlab/core/types.h"
#include "distlab/runtime/udp/udp_node.h"

namespace distlab::cli {

struct KeyOptions {
  std::string key_file;    // empty: the cluster file's key_file, else no key
  std::string epoch_file;  // empty: the default place (above)
  bool allow_text = false;
};

struct KeyFlags {
  bool epoch = true;        // --epoch-file (a command whose node sends)
  bool allow_text = false;  // --allow-text (a command that speaks the seed's text)
};

void add_key_options(CLI::App& cmd, KeyOptions& o, KeyFlags flags);

// The key file in effect: --key-file beats the cluster file's (`from_cluster`).
std::string key_file_in_effect(const KeyOptions& o, const std::string& from_cluster);

// Where node `self` keeps its epoch (see above).
std::string epoch_file_for(const KeyOptions& o, const std::string& key_file, const std::string& cluster, NodeId self,
                           const std::string& state_path);

// The node's sealing, or nullopt without a key. Reads the key file and, when the node
// `sends`, takes this start's epoch (next_epoch). Throws InputError.
std::optional<udp::Sealing> make_sealing(const KeyOptions& o, const std::string& cluster_key_file,
                                         const std::string& cluster, NodeId self, const std::string& state_path,
                                         bool sends);

// `distlab keygen FILE`.
void add_keygen_command(CLI::App& app, Action& run);

}  // namespace distlab::cli
