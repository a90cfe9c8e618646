#include "comm/liveness_watch.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

namespace topiary::comm {
namespace {

constexpr char kLeaving = 'L';
constexpr int kMaxAddresses = 16;
constexpr int kConnectMs = 1000;
constexpr int kHandshakeMs = 2000;

// What rank 0 broadcasts: where it listens, and a token that proves a connection is this job's.
struct Endpoint {
  uint64_t token = 0;
  uint16_t port = 0;  // network order; 0 = rank 0 could not listen: no watch
  uint16_t count = 0;
  std::array<uint32_t, kMaxAddresses> ipv4{};  // network order
};

struct Hello {
  uint64_t token = 0;
  int32_t rank = -1;
};

struct Peer {
  int fd = -1;
  int rank = -1;
};

class Watch {
 public:
  Watch(int rank, std::vector<std::string> hosts) : rank_(rank), hosts_(std::move(hosts)) {}

  void add(int fd, int peer_rank) { peers_.push_back({fd, peer_rank}); }
  bool empty() const { return peers_.empty(); }

  void start() {
    if (pipe2(stop_pipe_.data(), O_CLOEXEC) != 0) return;
    thread_ = std::thread([this] { run(); });
  }

  // The watcher stops first, so that only this thread touches the sockets afterwards.
  void leave() {
    if (!thread_.joinable()) return;
    (void)!write(stop_pipe_[1], "x", 1);
    thread_.join();
    for (Peer& peer : peers_) {
      if (peer.fd < 0) continue;
      (void)!write(peer.fd, &kLeaving, 1);
      close(peer.fd);
      peer.fd = -1;
    }
    close(stop_pipe_[0]);
    close(stop_pipe_[1]);
  }

 private:
  void run() {
    std::vector<pollfd> fds;
    while (true) {
      fds.assign(1, pollfd{stop_pipe_[0], POLLIN, 0});
      for (const Peer& peer : peers_) fds.push_back(pollfd{peer.fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[0].revents != 0) return;
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents != 0) read_from(peers_[i - 1]);
      }
    }
  }

  // A peer's socket only ever carries its leaving byte; end of stream without it is a loss.
  void read_from(Peer& peer) {
    char byte = 0;
    const ssize_t n = read(peer.fd, &byte, 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n != 1 || byte != kLeaving) {
      std::fprintf(stderr,
                   "topiary: rank %d (%s): lost rank %d (%s): its process ended without leaving "
                   "the job (killed, crashed or aborted)\n",
                   rank_, host(rank_).c_str(), peer.rank, host(peer.rank).c_str());
      std::fflush(stderr);
    }
    // Either way there is nothing more to watch on it (poll skips a negative fd).
    close(peer.fd);
    peer.fd = -1;
  }

  std::string host(int rank) const {
    return rank >= 0 && static_cast<size_t>(rank) < hosts_.size() ? hosts_[rank] : "?";
  }

  int rank_;
  std::vector<std::string> hosts_;
  std::vector<Peer> peers_;
  std::array<int, 2> stop_pipe_{-1, -1};
  std::thread thread_;
};

std::mutex& watch_mutex() {
  static std::mutex mutex;
  return mutex;
}
Watch*& the_watch() {
  static Watch* watch = nullptr;
  return watch;
}
bool& started() {
  static bool value = false;
  return value;
}

// Milliseconds until `deadline`, at least 0.
int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Reads or writes exactly `bytes` on a non-blocking socket before `deadline`.
bool transfer(int fd, void* data, size_t bytes, bool reading,
              std::chrono::steady_clock::time_point deadline) {
  auto* p = static_cast<char*>(data);
  while (bytes > 0) {
    pollfd pfd{fd, static_cast<short>(reading ? POLLIN : POLLOUT), 0};
    if (poll(&pfd, 1, remaining_ms(deadline)) <= 0) return false;
    const ssize_t n = reading ? read(fd, p, bytes) : write(fd, p, bytes);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<size_t>(n);
  }
  return true;
}

std::chrono::steady_clock::time_point after_ms(int ms) {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
}

// This host's IPv4 addresses, loopback first.
std::vector<uint32_t> local_addresses() {
  std::vector<uint32_t> loopback, others;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if ((a->ifa_flags & IFF_UP) == 0) continue;
    const uint32_t address = reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr;
    ((a->ifa_flags & IFF_LOOPBACK) != 0 ? loopback : others).push_back(address);
  }
  freeifaddrs(list);
  loopback.insert(loopback.end(), others.begin(), others.end());
  return loopback;
}

int listen_socket(Endpoint& endpoint) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd, 128) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return -1;
  }
  endpoint.port = address.sin_port;
  const std::vector<uint32_t> addresses = local_addresses();
  for (uint32_t a : addresses) {
    if (endpoint.count == kMaxAddresses) break;
    endpoint.ipv4[endpoint.count++] = a;
  }
  std::random_device entropy;
  endpoint.token =
      (static_cast<uint64_t>(entropy()) << 32) ^ entropy() ^ static_cast<uint64_t>(getpid());
  return fd;
}

// Rank 0: accepts the other ranks' connections until each has said hello or the time is up.
void accept_peers(int listen_fd, const Endpoint& endpoint, int world_size, Watch& watch) {
  const auto deadline = after_ms(5000 + 10 * world_size);
  int joined = 0;
  while (joined < world_size - 1) {
    pollfd pfd{listen_fd, POLLIN, 0};
    if (poll(&pfd, 1, remaining_ms(deadline)) <= 0) break;
    const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) continue;
    Hello hello;
    if (!transfer(fd, &hello, sizeof(hello), true, after_ms(kHandshakeMs)) ||
        hello.token != endpoint.token || hello.rank <= 0 || hello.rank >= world_size) {
      close(fd);
      continue;
    }
    uint64_t ack = endpoint.token;
    if (!transfer(fd, &ack, sizeof(ack), false, after_ms(kHandshakeMs))) {
      close(fd);
      continue;
    }
    watch.add(fd, hello.rank);
    ++joined;
  }
}

// Another rank: connects to rank 0 at one of its addresses (on the same host, loopback first;
// elsewhere, not loopback) and proves the connection with the token.
int connect_to_rank0(int rank, const Endpoint& endpoint, bool same_host) {
  for (int i = 0; i < endpoint.count; ++i) {
    const bool loopback = (ntohl(endpoint.ipv4[i]) >> 24) == 127;
    if (loopback && !same_host) continue;
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = endpoint.port;
    address.sin_addr.s_addr = endpoint.ipv4[i];
    const int rc = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    pollfd pfd{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof(error);
    const bool connected =
        rc == 0 || (errno == EINPROGRESS && poll(&pfd, 1, kConnectMs) == 1 &&
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0);
    Hello hello{endpoint.token, rank};
    uint64_t ack = 0;
    if (connected && transfer(fd, &hello, sizeof(hello), false, after_ms(kHandshakeMs)) &&
        transfer(fd, &ack, sizeof(ack), true, after_ms(kHandshakeMs)) && ack == endpoint.token) {
      return fd;
    }
    close(fd);
  }
  return -1;
}

}  // namespace

void start_liveness_watch(int rank, int world_size, const std::vector<std::string>& hosts,
                          const std::function<void(void* data, int bytes)>& broadcast_from_rank0) {
  const std::lock_guard<std::mutex> lock(watch_mutex());
  if (started() || world_size < 2) return;
  started() = true;
  Endpoint endpoint;
  int listen_fd = -1;
  // Rank 0 alone decides (port 0 = off), so the ranks cannot disagree about taking part.
  const char* setting = std::getenv("TOPIARY_LIVENESS_WATCH");
  const bool wanted = setting == nullptr || std::strcmp(setting, "0") != 0;
  if (rank == 0 && wanted) listen_fd = listen_socket(endpoint);
  broadcast_from_rank0(&endpoint, sizeof(endpoint));
  if (endpoint.port == 0) return;
  auto watch = std::make_unique<Watch>(rank, hosts);
  if (rank == 0) {
    accept_peers(listen_fd, endpoint, world_size, *watch);
    close(listen_fd);
  } else {
    const bool same_host = hosts.size() > static_cast<size_t>(rank) && hosts[0] == hosts[rank];
    const int fd = connect_to_rank0(rank, endpoint, same_host);
    if (fd >= 0) watch->add(fd, 0);
  }
  if (watch->empty()) return;
  watch->start();
  the_watch() = watch.release();
  std::atexit(leave_liveness_watch);
}

void leave_liveness_watch() {
  const std::lock_guard<std::mutex> lock(watch_mutex());
  Watch* watch = the_watch();
  the_watch() = nullptr;
  if (watch == nullptr) return;
  watch->leave();
  delete watch;
}

}  // namespace topiary::comm
