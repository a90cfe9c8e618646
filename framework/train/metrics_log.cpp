#include "train/metrics_log.h"

#include <fstream>

#include "core/error.h"
#include "io/atomic_file.h"

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
  io::AtomicFile output(path);
  {
    std::ofstream out(output.temp_path(), std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw UserError(path + ": write failed");
  }
  output.commit();
}

}  // namespace topiary::train
