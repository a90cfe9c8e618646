#pragma once
// Rank 0's record of a run: metrics.jsonl (one JSON object per event, appended and flushed so
// that a report needs no re-run) and summary.json (written atomically at the end).
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace topiary::train {

class MetricsLog {
 public:
  // An empty directory disables logging (ranks other than 0).
  // `append` keeps the events of an earlier (interrupted) run of the same directory.
  MetricsLog(const std::string& directory, bool append);
  void append(const nlohmann::json& event);
  void write_summary(const nlohmann::json& summary) const;

 private:
  std::string directory_;
  std::ofstream stream_;
};

// Writes text to path atomically (temporary file, then rename).
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace topiary::train
