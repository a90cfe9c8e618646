#include "train/model_selection.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace topiary::train {

ModelSelection::ModelSelection(bool higher_is_better, int64_t keep_best, int64_t patience,
                               double min_delta)
    : higher_(higher_is_better),
      keep_best_(keep_best),
      patience_(patience),
      min_delta_(min_delta) {}

SelectionDecision ModelSelection::observe(int64_t step, double value) {
  SelectionDecision decision;
  // Improvement (for patience) must beat the best by more than min_delta.
  const bool improved =
      !best_ || (higher_ ? value > best_->value + min_delta_ : value < best_->value - min_delta_);
  if (!best_ || better(value, best_->value)) best_ = SelectionEntry{step, value};
  stale_ = improved ? 0 : stale_ + 1;
  decision.stop = patience_ > 0 && stale_ >= patience_;

  if (keep_best_ > 0) {
    // Strictly better than the worst kept one (ties keep the earlier checkpoint).
    const bool room = static_cast<int64_t>(kept_.size()) < keep_best_;
    if (room || better(value, kept_.back().value)) {
      if (!room) {
        decision.drop_step = kept_.back().step;
        kept_.pop_back();
      }
      const auto at = std::find_if(kept_.begin(), kept_.end(),
                                   [&](const SelectionEntry& e) { return better(value, e.value); });
      kept_.insert(at, SelectionEntry{step, value});
      decision.keep = true;
    }
  }
  return decision;
}

std::map<std::string, std::vector<uint8_t>> ModelSelection::export_state() const {
  nlohmann::json state = {{"stale", stale_}, {"kept", nlohmann::json::array()}};
  for (const auto& e : kept_) state["kept"].push_back({e.step, e.value});
  if (best_) state["best"] = {best_->step, best_->value};
  const std::string text = state.dump();
  return {{"selection", std::vector<uint8_t>(text.begin(), text.end())}};
}

void ModelSelection::import_state(const std::map<std::string, std::vector<uint8_t>>& blobs) {
  const auto it = blobs.find("selection");
  if (it == blobs.end()) return;  // a checkpoint from before model selection
  try {
    const auto state = nlohmann::json::parse(it->second.begin(), it->second.end());
    stale_ = state.at("stale").get<int64_t>();
    kept_.clear();
    for (const auto& e : state.at("kept"))
      kept_.push_back({e.at(0).get<int64_t>(), e.at(1).get<double>()});
    best_.reset();
    if (state.contains("best"))
      best_ = SelectionEntry{state["best"].at(0).get<int64_t>(), state["best"].at(1).get<double>()};
  } catch (const nlohmann::json::exception& e) {
    throw UserError(std::string("checkpoint: unreadable model-selection state: ") + e.what());
  }
}

}  // namespace topiary::train
