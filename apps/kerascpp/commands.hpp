// The subcommands of the kerascpp tool, one function each; main.cpp parses the arguments.
// Each returns the process exit code (0 success, 1 failure) and throws keras::Error on a
// failure that stops the whole command.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "server.hpp"

namespace keras::app {

struct TrainOptions {
  std::string model = "mlp";
  std::optional<int> epochs;      ///< default: the architecture's tutorial value
  std::optional<int> batch_size;  ///< default: the architecture's tutorial value
  double validation_split = 0.1;
  int threads = 0;  ///< 0: keras::config default
  std::optional<uint64_t> seed;
  std::filesystem::path output = "model.keras";
  std::optional<std::filesystem::path> data;  ///< MNIST directory (else $KERASCPP_DATA_DIR)
  int verbose = 1;
};
int train(const TrainOptions& options);

int evaluate(const std::filesystem::path& model, const std::optional<std::filesystem::path>& data,
             int batch_size, int verbose);

int summary(const std::filesystem::path& model, bool json);

struct PredictOptions {
  std::filesystem::path model;
  std::vector<std::filesystem::path> images;
  bool json = false;
  std::optional<std::filesystem::path> save_inputs;  ///< directory for the 28x28 inputs
};
int predict(const PredictOptions& options);

int serve(const std::filesystem::path& model, const ServerOptions& options);

}  // namespace keras::app
