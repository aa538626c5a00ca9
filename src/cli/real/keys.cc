#include "cli/real/keys.h"

#include <fmt/format.h>

#include <memory>

#include "distlab/core/error.h"
#include "distlab/runtime/udp/seal.h"

namespace distlab::cli {

void add_key_options(CLI::App& cmd, KeyOptions& o, KeyFlags flags) {
  const std::string group = "Cluster key";
  cmd.add_option("--key-file", o.key_file,
                 "Seal and authenticate every frame with the keys in FILE (distlab keygen makes one); "
                 "beats the cluster file's key_file. Without a key any local program can speak for any node")
      ->type_name("FILE")
      ->group(group);
  if (flags.epoch) {
    cmd.add_option("--epoch-file", o.epoch_file,
                   "With a key: where this node's start count (its epoch) is kept, grown on every start "
                   "(default: STATE.epoch beside --state, else KEYFILE.<cluster>.<id>.epoch)")
        ->type_name("FILE")
        ->group(group);
  }
  if (flags.allow_text) {
    cmd.add_flag("--allow-text", o.allow_text,
                 "With a key: still accept the seed's plain-text heartbeat, which cannot be authenticated")
        ->group(group);
  }
}

std::string key_file_in_effect(const KeyOptions& o, const std::string& from_cluster) {
  return o.key_file.empty() ? from_cluster : o.key_file;
}

std::string epoch_file_for(const KeyOptions& o, const std::string& key_file, const std::string& cluster, NodeId self,
                           const std::string& state_path) {
  if (!o.epoch_file.empty()) return o.epoch_file;
  if (!state_path.empty()) return state_path + ".epoch";
  if (!key_file.empty()) return fmt::format("{}.{}.{}.epoch", key_file, cluster, self);
  throw InputError("with a key, give --epoch-file FILE: where this node counts its starts");
}

std::optional<udp::Sealing> make_sealing(const KeyOptions& o, const std::string& cluster_key_file,
                                         const std::string& cluster, NodeId self, const std::string& state_path,
                                         bool sends) {
  const std::string key_file = key_file_in_effect(o, cluster_key_file);
  if (key_file.empty()) {
    if (!o.epoch_file.empty()) throw InputError("--epoch-file needs a key (--key-file, or key_file in the cluster file)");
    return std::nullopt;
  }
  udp::Sealing s;
  s.cluster = cluster;
  s.keyring = std::make_shared<const udp::Keyring>(udp::Keyring::read_file(key_file));
  s.key_file = key_file;
  s.allow_text = o.allow_text;
  if (sends) s.epoch = udp::next_epoch(epoch_file_for(o, key_file, cluster, self, state_path));
  return s;
}

void add_keygen_command(CLI::App& app, Action& run) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "keygen", "Write a new cluster key to FILE (mode 0600; an existing file is never replaced)");
  cmd->add_option("FILE", *path, "The key file to create")->required();
  cmd->callback([path, &run] {
    run = [path] {
      udp::write_new_key_file(*path);
      fmt::print(
          "Wrote a new cluster key to {}.\n"
          "Give it to every node of the cluster (keep it secret, mode 0600), then run with it:\n"
          "  distlab launch bully --key-file {}\n"
          "  distlab run bully --id 1 --cluster cluster.toml --key-file {}   (or key_file = \"...\" in cluster.toml)\n"
          "  distlab monitor --key-file {}   and   distlab node 1 --key-file {}\n"
          "To rotate: add a new key as the file's second line everywhere, then make it the first, then drop the old one;\n"
          "running nodes re-read the file within a second.\n",
          *path, *path, *path, *path, *path);
      return kExitOk;
    };
  });
}

}  // namespace distlab::cli
