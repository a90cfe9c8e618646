#include "train/metrics_log.h"

#include <unistd.h>

#include <filesystem>

#include "core/error.h"

namespace topiary::train {

MetricsLog::MetricsLog(const std::string& directory, bool append) : directory_(directory) {
  if (directory_.empty()) return;
  stream_.open(directory_ + "/metrics.jsonl", append ? std::ios::app : std::ios::trunc);
  if (!stream_) throw UserError(directory_ + "/metrics.jsonl: cannot open for writing");
}

void MetricsLog::append(const nlohmann::json& event) {
  if (directory_.empty()) return;
  stream_ << event.dump() << '\n';
  stream_.flush();
}

void MetricsLog::write_summary(const nlohmann::json& summary) const {
  if (directory_.empty()) return;
  write_file_atomically(directory_ + "/summary.json", summary.dump(2) + "\n");
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw UserError(path + ": write failed");
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace topiary::train
