#include "distlab/harness/real/netns.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern "C" {
#include <libnetfilter_log/libnetfilter_log.h>
}

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "distlab/core/assert.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"

extern char** environ;

namespace distlab::harness {
namespace {

namespace fs = std::filesystem;

// The bridge's network: 10.77.0.0/16, node k (by index) at host number k + 1.
constexpr const char* kSubnet = "10.77.0.0/16";
// How long a holder may take to make its namespace and say so.
constexpr int kReadyTimeoutMs = 10'000;
// The rules' probability resolution: loss is drawn as numgen random mod this.
constexpr std::int64_t kLossScale = 1'000'000;
// The NFLOG group the bridge's drops are logged to (in the hub's namespace alone).
constexpr int kLogGroup = 7;
// At most this many logged drops are kept between two reads (the counters count all).
constexpr std::size_t kMaxLogged = 1'000'000;

// The programs, found where root's PATH has them even when this one lacks sbin.
std::string find_program(const std::string& name) {
  std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

struct Tools {
  std::string ip, nft, nsenter, unshare;
};

const Tools& tools() {
  static const Tools t{find_program("ip"), find_program("nft"), find_program("nsenter"),
                       find_program("unshare")};
  return t;
}

// An anonymous file holding `text`, at its start: a command's stdin, or its output.
int memory_file(const std::string& text) {
  const int fd = ::memfd_create("distlab-netns", MFD_CLOEXEC);
  if (fd < 0) throw RuntimeFailure(fmt::format("cannot make a memory file: {}", std::strerror(errno)));
  if (!text.empty() && ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    ::close(fd);
    throw RuntimeFailure(fmt::format("cannot write a memory file: {}", std::strerror(errno)));
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

std::string read_all(int fd) {
  ::lseek(fd, 0, SEEK_SET);
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  return text;
}

// A command with its input: started with start(), finished with finish(), so that
// many run at once.
class Command {
 public:
  Command(std::vector<std::string> args, const std::string& input) : args_(std::move(args)) {
    in_ = memory_file(input);
    out_ = memory_file("");
  }
  ~Command() {
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    ::close(in_);
    ::close(out_);
  }
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  void start() {
    std::vector<char*> argv;
    for (std::string& a : args_) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_adddup2(&files, in_, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&files, out_, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&files, out_, STDERR_FILENO);
    const int error = posix_spawn(&pid_, argv[0], &files, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (error != 0) {
      pid_ = 0;
      throw RuntimeFailure(fmt::format("cannot start {}: {}", args_[0], std::strerror(error)));
    }
  }

  // Its output; throws RuntimeFailure naming `what` when it failed.
  std::string finish(const std::string& what) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
    std::string output = read_all(out_);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::string line = output.substr(0, output.find('\n'));
      throw RuntimeFailure(fmt::format("--netns: cannot {}: {} failed{}", what,
                                       fs::path(args_[0]).filename().string(),
                                       line.empty() ? "" : ": " + line));
    }
    return output;
  }

 private:
  std::vector<std::string> args_;
  int in_ = -1;
  int out_ = -1;
  pid_t pid_ = 0;
};

// Runs the commands at once; throws the first failure once all have ended.
std::vector<std::string> run_all(std::vector<std::unique_ptr<Command>>& commands, const std::string& what) {
  for (auto& c : commands) c->start();
  std::vector<std::string> outputs;
  std::optional<RuntimeFailure> failure;
  for (auto& c : commands) {
    try {
      outputs.push_back(c->finish(what));
    } catch (const RuntimeFailure& e) {
      if (!failure) failure = e;
      outputs.emplace_back();
    }
  }
  if (failure) throw *failure;
  return outputs;
}

std::vector<std::string> in_namespace(pid_t holder, std::vector<std::string> args) {
  std::vector<std::string> all{tools().nsenter, fmt::format("--net=/proc/{}/ns/net", holder), "--"};
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

// "packets 12 bytes" of the rule that logs with prefix `name`, in `nft list` output.
std::uint64_t counted(const std::string& listing, const std::string& name) {
  std::istringstream lines(listing);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(fmt::format("prefix \"{}\"", name)) == std::string::npos) continue;
    const std::size_t at = line.find("packets ");
    if (at == std::string::npos) return 0;
    return std::strtoull(line.c_str() + at + 8, nullptr, 10);
  }
  return 0;
}

}  // namespace

// The drops the bridge logs (nftables `log group`), read from a netlink socket opened
// in the hub's namespace by a thread that enters it; the socket stays there.
class DropLog {
 public:
  using Callback = std::function<void(const std::string& prefix, std::span<const unsigned char> packet)>;

  explicit DropLog(pid_t hub) {
    std::string error;
    std::thread opener([&] {
      const int ns = ::open(fmt::format("/proc/{}/ns/net", hub).c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
        error = fmt::format("cannot enter the bridge's namespace: {}", std::strerror(errno));
        if (ns >= 0) ::close(ns);
        return;
      }
      ::close(ns);
      handle_ = nflog_open();
      if (handle_ == nullptr) {
        error = fmt::format("cannot open an NFLOG socket: {}", std::strerror(errno));
        return;
      }
      group_ = nflog_bind_group(handle_, kLogGroup);
      if (group_ == nullptr || nflog_set_mode(group_, NFULNL_COPY_PACKET, 0xffff) < 0) {
        error = fmt::format("cannot listen to NFLOG group {}: {}", kLogGroup, std::strerror(errno));
        return;
      }
      nflog_callback_register(group_, &DropLog::on_packet, this);
      const int bytes = 8 << 20;  // a burst of drops waits here until the next read
      ::setsockopt(nflog_fd(handle_), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes);
      ::fcntl(nflog_fd(handle_), F_SETFL, ::fcntl(nflog_fd(handle_), F_GETFL) | O_NONBLOCK);
    });
    opener.join();
    if (!error.empty()) {
      close();
      throw RuntimeFailure("--netns: " + error);
    }
  }
  ~DropLog() { close(); }
  DropLog(const DropLog&) = delete;
  DropLog& operator=(const DropLog&) = delete;

  // Hands every drop logged since the last read to `callback`; never blocks.
  void read(const Callback& callback) {
    callback_ = &callback;
    alignas(16) char buffer[65536];
    for (;;) {
      const ssize_t n = ::recv(nflog_fd(handle_), buffer, sizeof buffer, 0);
      if (n < 0 && (errno == EINTR || errno == ENOBUFS))
        continue;  // ENOBUFS: some were lost; the counters have them
      if (n <= 0) break;
      nflog_handle_packet(handle_, buffer, static_cast<int>(n));
    }
    callback_ = nullptr;
  }

 private:
  static int on_packet(nflog_g_handle*, nfgenmsg*, nflog_data* data, void* self) {
    auto* log = static_cast<DropLog*>(self);
    char* payload = nullptr;
    const int length = nflog_get_payload(data, &payload);
    const char* prefix = nflog_get_prefix(data);
    if (log->callback_ != nullptr && length > 0) {
      (*log->callback_)(prefix != nullptr ? prefix : "",
                        {reinterpret_cast<const unsigned char*>(payload), static_cast<std::size_t>(length)});
    }
    return 0;
  }
  void close() {
    if (group_ != nullptr) nflog_unbind_group(group_);
    if (handle_ != nullptr) nflog_close(handle_);
    group_ = nullptr;
    handle_ = nullptr;
  }

  nflog_handle* handle_ = nullptr;
  nflog_g_handle* group_ = nullptr;
  const Callback* callback_ = nullptr;
};

std::string NamespaceNetwork::needs_root() {
  if (::geteuid() == 0) return "";
  return "--netns needs root (it makes network namespaces, links and nftables rules); run it as root, or "
         "without --netns on 127.0.0.1";
}

std::string NamespaceNetwork::missing_program() {
  const Tools& t = tools();
  for (const auto& [path, name, package] :
       {std::tuple{&t.ip, "ip", "iproute2"}, std::tuple{&t.nft, "nft", "nftables"},
        std::tuple{&t.nsenter, "nsenter", "util-linux"}, std::tuple{&t.unshare, "unshare", "util-linux"}}) {
    if (path->empty()) {
      return fmt::format(
          "--netns needs the program {} (Debian package {}); scripts/setup-deps.sh installs it", name,
          package);
    }
  }
  return "";
}

std::string NamespaceNetwork::address_of_index(std::size_t index) {
  const std::size_t host = index + 1;
  return fmt::format("10.77.{}.{}", host >> 8, host & 255);
}

std::string NamespaceNetwork::address(NodeId id) const {
  const auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
  DISTLAB_ASSERT(it != ids_.end() && *it == id, "a node of the network");
  return address_of_index(static_cast<std::size_t>(it - ids_.begin()));
}

std::vector<std::string> NamespaceNetwork::enter(NodeId id) const {
  return {tools().nsenter, fmt::format("--net=/proc/{}/ns/net", nodes_.at(id).pid), "--"};
}

NamespaceNetwork::Holder NamespaceNetwork::hold(const std::string& then) {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    throw RuntimeFailure(fmt::format("cannot make a pipe: {}", std::strerror(errno)));
  }
  // Deaf to the terminal's signals (a Ctrl+C is the launcher's to handle): it ends
  // when the launcher closes its stdin, or dies.
  std::vector<std::string> args{tools().unshare, "--net", "--",
                                "/bin/sh",       "-c",    "trap '' INT TERM HUP; echo ready; exec " + then};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_adddup2(&files, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&files, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  Holder h;
  const int error = posix_spawn(&h.pid, argv[0], &files, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&files);
  ::close(in[0]);
  ::close(out[1]);
  if (error != 0) {
    ::close(in[1]);
    ::close(out[0]);
    throw RuntimeFailure(fmt::format("--netns: cannot start unshare: {}", std::strerror(error)));
  }
  h.pipe = in[1];
  pollfd ready{.fd = out[0], .events = POLLIN, .revents = 0};
  char word[8] = {};
  const bool said = ::poll(&ready, 1, kReadyTimeoutMs) == 1 && ::read(out[0], word, sizeof word) > 0 &&
                    std::string_view(word).starts_with("ready");
  ::close(out[0]);
  if (!said) {
    ::close(h.pipe);
    ::kill(h.pid, SIGKILL);
    int status = 0;
    ::waitpid(h.pid, &status, 0);
    throw RuntimeFailure("--netns: cannot make a network namespace (unshare --net failed)");
  }
  return h;
}

NamespaceNetwork::NamespaceNetwork(std::vector<NodeId> ids, NamespaceFaults faults)
    : ids_(std::move(ids)), faults_(std::move(faults)) {
  if (const std::string why = needs_root(); !why.empty()) throw InputError(why);
  if (const std::string why = missing_program(); !why.empty()) throw RuntimeFailure(why);
  for (const sim::Partition& p : faults_.partitions) {
    changes_.push_back({p.start_ns, {&p, false}});
    if (p.end_ns != kNanosMax) changes_.push_back({p.end_ns, {&p, true}});
  }
  std::stable_sort(changes_.begin(), changes_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  try {
    // The hub's holder reads nftables commands from the launcher: a partition's rules
    // change within a millisecond, where a new nft process takes 20 ms.
    hub_ = hold(fmt::format("'{}' -i >/dev/null 2>&1", tools().nft));
    for (NodeId id : ids_) nodes_[id] = hold("cat >/dev/null");
    // The bridge and one veth pair per node, its outer end on the bridge.
    std::string hub = "link set lo up\nlink add br0 type bridge\nlink set br0 up\n";
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      hub += fmt::format(
          "link add v{} type veth peer name eth0 netns {}\nlink set v{} master br0\nlink set v{} up\n", i,
          nodes_[ids_[i]].pid, i, i);
    }
    // The faults, on the bridge: the links cut (a set of sender . receiver pairs,
    // empty until a partition starts), then the loss. Each drop is logged to the
    // launcher (NFLOG), which traces it as the simulator does.
    const std::int64_t loss = std::llround(faults_.loss * static_cast<double>(kLossScale));
    const std::string rules = fmt::format(
        "table bridge distlab {{\n"
        "  set cut {{ type ipv4_addr . ipv4_addr; }}\n"
        "  chain forward {{\n"
        "    type filter hook forward priority 0; policy accept;\n"
        "    ip saddr . ip daddr @cut counter log group {} prefix \"partition\" drop\n"
        "{}"
        "  }}\n"
        "}}\n",
        kLogGroup,
        loss > 0
            ? fmt::format(
                  "    ip saddr {} numgen random mod {} < {} counter log group {} prefix \"loss\" drop\n",
                  kSubnet, kLossScale, loss, kLogGroup)
            : "");
    // Duplication, past the loss: a datagram that leaves the bridge for node k's port
    // is copied onto that port. The copy is marked first, so that it is not copied again.
    const std::int64_t dup = std::llround(faults_.dup * static_cast<double>(kLossScale));
    std::string copies;
    for (std::size_t i = 0; dup > 0 && i < ids_.size(); ++i) {
      copies += fmt::format(
          "  chain dup{} {{\n"
          "    type filter hook egress device \"v{}\" priority 0;\n"
          "    meta mark 0 ip saddr {} numgen random mod {} < {} counter meta mark set 1 dup to \"v{}\"\n"
          "  }}\n",
          i, i, kSubnet, kLossScale, dup, i);
    }
    const std::string duplication = copies.empty() ? "" : "table netdev distlab {\n" + copies + "}\n";
    std::vector<std::unique_ptr<Command>> bridge;
    bridge.push_back(std::make_unique<Command>(in_namespace(hub_.pid, {tools().ip, "-batch", "-"}), hub));
    run_all(bridge, "build the bridge");
    bridge.clear();
    bridge.push_back(
        std::make_unique<Command>(in_namespace(hub_.pid, {tools().nft, "-f", "-"}), rules + duplication));
    run_all(bridge, "put the network's rules on the bridge");
    log_ = std::make_unique<DropLog>(hub_.pid);
    std::vector<std::unique_ptr<Command>> nodes;
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      nodes.push_back(std::make_unique<Command>(
          in_namespace(nodes_[ids_[i]].pid, {tools().ip, "-batch", "-"}),
          fmt::format("link set lo up\naddr add {}/16 dev eth0\nlink set eth0 up\n", address_of_index(i))));
    }
    run_all(nodes, "give the nodes their addresses");
  } catch (...) {
    release();
    throw;
  }
}

NamespaceNetwork::~NamespaceNetwork() { release(); }

void NamespaceNetwork::release() {
  log_.reset();
  std::vector<Holder> all;
  if (hub_.pid > 0) all.push_back(hub_);
  for (const auto& [id, h] : nodes_) all.push_back(h);
  for (const Holder& h : all) ::close(h.pipe);
  for (const Holder& h : all) {
    int status = 0;
    ::waitpid(h.pid, &status, 0);
  }
  hub_ = {};
  nodes_.clear();
}

Nanos NamespaceNetwork::next_change() const {
  return next_ < changes_.size() ? changes_[next_].first : kNanosMax;
}

std::vector<NamespaceNetwork::Change> NamespaceNetwork::advance(Nanos t) {
  std::vector<Change> applied;
  while (next_ < changes_.size() && changes_[next_].first <= t) {
    const Nanos at = changes_[next_].first;
    while (next_ < changes_.size() && changes_[next_].first == at)
      applied.push_back(changes_[next_++].second);
    set_cuts(at);
  }
  return applied;
}

// The links cut at `t`, as the simulator's NetworkModel::cut decides them: the set
// on the bridge is replaced in one transaction when it changes.
void NamespaceNetwork::set_cuts(Nanos t) {
  std::vector<std::pair<std::size_t, std::size_t>> cut;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    for (std::size_t j = 0; j < ids_.size(); ++j) {
      const bool any = std::any_of(faults_.partitions.begin(), faults_.partitions.end(),
                                   [&](const sim::Partition& p) { return p.cuts(ids_[i], ids_[j], t); });
      if (i != j && any) cut.emplace_back(i, j);
    }
  }
  if (cut == cut_) return;
  cut_ = cut;
  std::string text = "flush set bridge distlab cut\n";
  if (!cut.empty()) {
    std::vector<std::string> pairs;
    for (const auto& [i, j] : cut) pairs.push_back(address_of_index(i) + " . " + address_of_index(j));
    text += fmt::format("add element bridge distlab cut {{ {} }}\n", fmt::join(pairs, ", "));
  }
  tell(hub_, text);
}

// Writes to a holder's stdin; one that is gone (killed by someone else) is not an
// error worth a SIGPIPE: its namespace went with it, and its node's datagrams too.
void NamespaceNetwork::tell(const Holder& holder, const std::string& text) {
  sigset_t pipe;
  sigset_t old;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, &old);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(holder.pipe, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const timespec none{0, 0};
  while (sigtimedwait(&pipe, nullptr, &none) == SIGPIPE) {
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

NamespaceDrops NamespaceNetwork::drops() const {
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(std::make_unique<Command>(
      in_namespace(hub_.pid, {tools().nft, "list", "chain", "bridge", "distlab", "forward"}), ""));
  if (faults_.dup > 0) {
    commands.push_back(std::make_unique<Command>(
        in_namespace(hub_.pid, {tools().nft, "list", "table", "netdev", "distlab"}), ""));
  }
  const std::vector<std::string> listings = run_all(commands, "read the rules' counters");
  NamespaceDrops d{.loss = counted(listings[0], "loss"), .partition = counted(listings[0], "partition")};
  if (listings.size() > 1) {
    std::istringstream lines(listings[1]);
    std::string line;
    while (std::getline(lines, line)) {
      const std::size_t at = line.find("packets ");
      if (line.find("dup to") != std::string::npos && at != std::string::npos) {
        d.duplicated += std::strtoull(line.c_str() + at + 8, nullptr, 10);
      }
    }
  }
  return d;
}

std::vector<LoggedDrop> NamespaceNetwork::take_logged() {
  if (log_)
    log_->read(
        [&](const std::string& prefix, std::span<const unsigned char> packet) { logged(prefix, packet); });
  return std::exchange(logged_, {});
}

// An IPv4 packet the bridge dropped, with a distlab frame in its UDP datagram: which
// message, from which node to which.
void NamespaceNetwork::logged(const std::string& prefix, std::span<const unsigned char> p) {
  if (logged_.size() >= kMaxLogged) return;
  if (p.size() >= 14 && p[12] == 0x08 && p[13] == 0x00 && (p[0] >> 4) != 4)
    p = p.subspan(14);                                          // an Ethernet header
  if (p.size() < 20 || (p[0] >> 4) != 4 || p[9] != 17) return;  // IPv4, UDP
  const std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
  if (ihl < 20 || p.size() < ihl + 8 + 16) return;
  const std::span<const unsigned char> frame = p.subspan(ihl + 8);
  if (frame[0] != 'D' || frame[1] != 'L') return;
  auto little = [&](std::size_t at, std::size_t bytes) {
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < bytes; ++k) v |= std::uint64_t{frame[at + k]} << (8 * k);
    return v;
  };
  const std::uint8_t version = frame[2];
  if (version != 1 && !(version == 2 && frame.size() >= 20)) return;
  const std::size_t seq_at = version == 1 ? 8 : 12;
  // The receiver: its address on the bridge, 10.77.H.L, host number H * 256 + L = index + 1.
  const std::size_t host = std::size_t{p[18]} * 256 + p[19];
  if (p[16] != 10 || p[17] != 77 || host == 0 || host > ids_.size()) return;
  logged_.push_back({.from = static_cast<NodeId>(little(4, 4)),
                     .seq = little(seq_at, 8),
                     .to = ids_[host - 1],
                     .partition = prefix == "partition"});
}

}  // namespace distlab::harness
