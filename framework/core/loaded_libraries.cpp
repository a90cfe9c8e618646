#include "core/loaded_libraries.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace topiary::core {

std::vector<std::string> loaded_libraries() {
  std::vector<std::string> paths;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    // address perms offset dev inode path; the path is the sixth field and may be absent.
    std::istringstream fields(line);
    std::string address, perms, offset, device, inode, path;
    fields >> address >> perms >> offset >> device >> inode;
    std::getline(fields >> std::ws, path);
    if (path.empty() || path.front() != '/') continue;
    const std::string name = path.substr(path.rfind('/') + 1);
    if (name.find(".so") == std::string::npos) continue;
    paths.push_back(path);
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

}  // namespace topiary::core
