#include "distlab/runtime/udp/cluster.h"

#include <gtest/gtest.h>

#include "distlab/core/error.h"

namespace distlab::udp {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_cluster(text, "c.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ClusterTest, ReadsNodesSortedById) {
  const Cluster c = parse_cluster(R"(
[[node]]
id = 2
address = "127.0.0.1:7002"
interval = "500ms"

[[node]]
id = 1
address = "localhost:7001"
)",
                                  "c.toml");
  ASSERT_EQ(c.ids(), (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(c.find(2)->address, (Address{"127.0.0.1", 7002}));
  EXPECT_EQ(c.find(2)->interval_ns, 500 * kMillisecond);
  EXPECT_EQ(c.find(2)->line, 2u);
  EXPECT_EQ(c.find(3), nullptr);
}

TEST(ClusterTest, WrittenFilesReadBack) {
  std::vector<ClusterNode> nodes{{1, {"127.0.0.1", 7001}, std::nullopt, std::nullopt, 0},
                                 {2, {"::1", 7002}, 100 * kMillisecond, 10 * kMillisecond, 0}};
  const Cluster c = parse_cluster(cluster_text(nodes), "gen.toml");
  ASSERT_EQ(c.nodes.size(), 2u);
  EXPECT_EQ(c.find(2)->address, (Address{"::1", 7002}));
  EXPECT_EQ(c.find(2)->jitter_ns, 10 * kMillisecond);
}

TEST(ClusterTest, EveryMistakeNamesItsLine) {
  const std::string one = "[[node]]\nid = 1\naddress = \"127.0.0.1:7001\"\n";
  struct Case {
    std::string text;
    std::string expect;
  };
  const Case cases[] = {
      {"", "c.toml:1: no [[node]] tables"},
      {"[[node]\nid = 1", "c.toml:1: not valid TOML"},
      {one + "[[node]]\nid = 1\naddress = \"127.0.0.1:7002\"\n", "c.toml:4: node id 1 appears twice (first at line 1)"},
      {one + "[[node]]\nid = 2\naddress = \"127.0.0.1:7001\"\n", "c.toml:4: nodes 1 and 2 share the address"},
      {one + "[[node]]\nid = 2\naddress = \"127.0.0.1\"\n", "c.toml:6: malformed address '127.0.0.1'"},
      {one + "[[node]]\nid = 2\nadress = \"127.0.0.1:1\"\n", "c.toml:6: unknown key 'adress'"},
      {"nodes = 3\n", "c.toml:1: unknown key 'nodes'"},
      {"[[node]]\nid = -4\naddress = \"127.0.0.1:1\"\n", "c.toml:2: 'id' must be a node id"},
      {"[[node]]\nid = \"1\"\naddress = \"127.0.0.1:1\"\n", "c.toml:2: 'id' must be a node id"},
      {"[[node]]\naddress = \"127.0.0.1:1\"\n", "c.toml:1: a node without an 'id'"},
      {"[[node]]\nid = 3\n", "c.toml:1: node 3 has no 'address'"},
      {one + "[[node]]\nid = 2\naddress = \"127.0.0.1:2\"\ninterval = 5\n", "c.toml:7: 'interval' must be a duration"},
      {one + "[[node]]\nid = 2\naddress = \"127.0.0.1:2\"\ninterval = \"5\"\n", "c.toml:7: 'interval': invalid duration"},
  };
  for (const Case& c : cases) {
    const std::string error = error_of(c.text);
    EXPECT_NE(error.find(c.expect), std::string::npos) << "input:\n" << c.text << "\nerror: " << error;
  }
}

TEST(ClusterTest, AMissingFileIsAnInputError) {
  EXPECT_THROW(read_cluster_file("/nonexistent/cluster.toml"), InputError);
}

TEST(ClusterTest, NameAndKeyFileAreOptionalAndTheKeyFileIsBesideTheClusterFile) {
  const std::string nodes = "[[node]]\nid = 1\naddress = \"127.0.0.1:7001\"\n";
  const Cluster plain = parse_cluster(nodes, "dir/c.toml");
  EXPECT_EQ(plain.name, "distlab");
  EXPECT_EQ(plain.key_file, "");
  const Cluster keyed = parse_cluster("name = \"lab\"\nkey_file = \"lab.key\"\n" + nodes, "dir/c.toml");
  EXPECT_EQ(keyed.name, "lab");
  EXPECT_EQ(keyed.key_file, "dir/lab.key");
  EXPECT_EQ(parse_cluster("key_file = \"/etc/lab.key\"\n" + nodes, "dir/c.toml").key_file, "/etc/lab.key");
  EXPECT_NE(error_of("name = \"two words\"\n" + nodes).find("'name' must be"), std::string::npos);
  EXPECT_NE(error_of("name = 3\n" + nodes).find("'name' must be"), std::string::npos);
  EXPECT_NE(error_of("key_file = \"\"\n" + nodes).find("'key_file' must be"), std::string::npos);
}

}  // namespace
}  // namespace distlab::udp
