// kerascpp: one command to train, evaluate, inspect, use and serve MNIST models.
//
//   kerascpp train [--model mlp|convnet] [--epochs N] [--output model.keras] ...
//   kerascpp evaluate MODEL | summary MODEL | predict MODEL IMAGE.png... | serve MODEL
//
// Exit codes: 0 success, 1 the command failed, 2 wrong arguments (docs/cli.md).
#include <CLI/CLI.hpp>
#include <iostream>

#include "architectures.hpp"
#include "commands.hpp"
#include "digit_image.hpp"
#include "keras/core/error.hpp"
#include "keras/version.hpp"

namespace {

constexpr int kUsageError = 2;

std::string architecture_help() {
  std::string help = "architecture:";
  for (const auto& a : keras::app::architectures())
    help += "\n  " + a.name + ": " + a.description + " (" + std::to_string(a.epochs) +
            " epochs, batch " + std::to_string(a.batch_size) + " by default)";
  return help;
}

// The arguments several commands share.
template <class T>
void add_model_argument(CLI::App* command, T& path) {
  command->add_option("MODEL", path, "model file (.keras or .h5)")
      ->required()
      ->check(CLI::ExistingFile);
}
template <class T>
void add_data_option(CLI::App* command, T& dir) {
  command->add_option("--data", dir, "MNIST directory (default: $KERASCPP_DATA_DIR)")
      ->check(CLI::ExistingDirectory);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace keras::app;
  CLI::App app{"kerascpp " + std::string(keras::version) +
                   ": train, evaluate, inspect, use and serve MNIST digit models",
               "kerascpp"};
  app.set_version_flag("--version", std::string(keras::version));
  app.require_subcommand(1);
  app.footer(
      "Run 'kerascpp COMMAND --help' for a command's options. Exit codes: 0 success, "
      "1 failure, 2 wrong arguments.");

  TrainOptions train_opts;
  auto* train_cmd = app.add_subcommand("train", "Train a model on MNIST and save it");
  train_cmd->add_option("--model", train_opts.model, architecture_help())
      ->check(CLI::IsMember({"mlp", "convnet"}))
      ->capture_default_str();
  train_cmd->add_option("--epochs", train_opts.epochs, "epochs to train")
      ->check(CLI::Range(1, 100000));
  train_cmd->add_option("--batch-size", train_opts.batch_size, "samples per step")
      ->check(CLI::Range(1, 1 << 20));
  train_cmd
      ->add_option("--validation-split", train_opts.validation_split,
                   "fraction of the training images held out for validation")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  train_cmd
      ->add_option("--threads", train_opts.threads,
                   "threads (0: all cores, or $KERASCPP_NUM_THREADS)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  train_cmd->add_option("--seed", train_opts.seed, "random seed, for a reproducible run");
  train_cmd->add_option("--output,-o", train_opts.output, "model file to write (.keras or .h5)")
      ->capture_default_str();
  add_data_option(train_cmd, train_opts.data);
  train_cmd
      ->add_option("--verbose", train_opts.verbose,
                   "0 silent, 1 progress bar, 2 one line per epoch")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();

  std::string model_path;
  std::optional<std::filesystem::path> data_dir;
  int batch_size = 32, verbose = 0;
  auto* evaluate_cmd =
      app.add_subcommand("evaluate", "Accuracy and loss of a model on MNIST's test set");
  add_model_argument(evaluate_cmd, model_path);
  add_data_option(evaluate_cmd, data_dir);
  evaluate_cmd->add_option("--batch-size", batch_size, "images per step")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  evaluate_cmd->add_option("--verbose", verbose, "0 silent, 1 progress bar")
      ->check(CLI::Range(0, 1))
      ->capture_default_str();

  bool json = false;
  auto* summary_cmd = app.add_subcommand("summary", "Print a model's layers and parameter counts");
  add_model_argument(summary_cmd, model_path);
  summary_cmd->add_flag("--json", json, "print JSON (the same as GET /v1/model of serve)");

  PredictOptions predict_opts;
  auto* predict_cmd = app.add_subcommand("predict", "Recognise the digit in PNG images");
  add_model_argument(predict_cmd, predict_opts.model);
  predict_cmd
      ->add_option("IMAGE", predict_opts.images,
                   "PNG images of one digit each: any size, colour or grayscale, dark on light or "
                   "light on dark (converted as MNIST was; see docs/cli.md)")
      ->required()
      ->check(CLI::ExistingFile);
  predict_cmd->add_flag("--json", predict_opts.json,
                        "print JSON with the ten probabilities of each image");
  predict_cmd
      ->add_option("--save-inputs", predict_opts.save_inputs,
                   "directory to write each image's 28x28 model input to (NAME.28x28.png)")
      ->check(CLI::ExistingDirectory);

  ServerOptions serve_opts;
  auto* serve_cmd =
      app.add_subcommand("serve", "Serve the draw-a-digit page and the prediction API");
  add_model_argument(serve_cmd, model_path);
  serve_cmd
      ->add_option("--host", serve_opts.host, "address to listen on (0.0.0.0: every interface)")
      ->capture_default_str();
  serve_cmd->add_option("--port,-p", serve_opts.port, "TCP port (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve_cmd
      ->add_option("--threads", serve_opts.threads,
                   "worker threads = connections served at once = model replicas")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve_cmd->add_option("--queue", serve_opts.queue, "accepted connections waiting for a worker")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  serve_cmd->add_option("--max-batch", serve_opts.max_batch, "most instances in one request")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  serve_cmd->add_option("--max-body", serve_opts.max_body_bytes, "largest request body in bytes")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-image-side", serve_opts.max_image_side, "largest PNG width or height")
      ->check(CLI::Range(28, kMaxImageSide))
      ->capture_default_str();
  serve_cmd
      ->add_option("--timeout-ms", serve_opts.read_timeout_ms,
                   "read and write timeout per socket operation")
      ->check(CLI::Range(10, 600000))
      ->capture_default_str();
  serve_cmd->add_flag("--log", serve_opts.log_requests, "print one line per request on stderr");

  // CLI11 would only say that a command is required.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string first = argv[1];
    const auto commands = app.get_subcommands([](const CLI::App*) { return true; });
    if (std::none_of(commands.begin(), commands.end(),
                     [&](const CLI::App* c) { return c->get_name() == first; })) {
      std::cerr
          << "kerascpp: unknown command '" << first
          << "'; the commands are train, evaluate, summary, predict and serve (kerascpp --help)\n";
      return kUsageError;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageError;
  }
  serve_opts.write_timeout_ms = serve_opts.read_timeout_ms;

  const std::string command = app.get_subcommands().front()->get_name();
  try {
    if (command == "train") return train(train_opts);
    if (command == "evaluate") return evaluate(model_path, data_dir, batch_size, verbose);
    if (command == "summary") return summary(model_path, json);
    if (command == "predict") return predict(predict_opts);
    return serve(model_path, serve_opts);
  } catch (const keras::Error& e) {
    std::cerr << "kerascpp " << command << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "kerascpp " << command << ": unexpected error: " << e.what() << "\n";
    return 1;
  }
}
