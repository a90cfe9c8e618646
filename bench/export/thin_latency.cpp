// Latency of model B relative to model A (e.g. thinned vs masked dense) on the same inputs:
// rounds alternate A and B so that machine noise hits both alike; reports medians and B/A.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "deploy/runnable_model.h"

namespace {

std::vector<std::string> first_column(const std::string& path, size_t limit) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> texts;
  std::getline(in, line);  // header
  while (texts.size() < limit && std::getline(in, line))
    texts.push_back(line.substr(0, line.find('\t')));
  return texts;
}

double seconds(topiary::deploy::RunnableModel& model, const std::vector<std::vector<int64_t>>& ids,
               int64_t batch) {
  const auto start = std::chrono::steady_clock::now();
  topiary::deploy::classify(model, ids, batch);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: thin_latency A.h5 B.h5 texts.tsv [rounds] [batch]\n");
    return 2;
  }
  try {
    torch::set_num_threads(1);
    const int rounds = argc > 4 ? std::atoi(argv[4]) : 15;
    const int64_t batch = argc > 5 ? std::atoll(argv[5]) : 32;
    auto a = topiary::deploy::load_runnable(argv[1]);
    auto b = topiary::deploy::load_runnable(argv[2]);
    std::vector<std::vector<int64_t>> ids;
    for (const auto& text : first_column(argv[3], 512)) ids.push_back(a.encoder->encode(text));
    seconds(a, ids, batch);  // warm-up
    seconds(b, ids, batch);
    std::vector<double> ta, tb;
    for (int r = 0; r < rounds; ++r) {
      ta.push_back(seconds(a, ids, batch));
      tb.push_back(seconds(b, ids, batch));
    }
    std::sort(ta.begin(), ta.end());
    std::sort(tb.begin(), tb.end());
    const double ma = ta[ta.size() / 2], mb = tb[tb.size() / 2];
    std::printf(
        "%zu texts, batch %lld, 1 thread, %d alternating rounds: A %.2f ms, B %.2f ms, "
        "B/A %.3f\n",
        ids.size(), static_cast<long long>(batch), rounds, ma * 1e3, mb * 1e3, mb / ma);
  } catch (const topiary::UserError& e) {
    std::fprintf(stderr, "thin_latency: %s\n", e.what());
    return 2;
  }
  return 0;
}
