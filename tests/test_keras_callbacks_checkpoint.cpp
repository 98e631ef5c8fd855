// ModelCheckpoint and EarlyStopping with Keras 3's semantics: which epochs save or stop, what
// "auto" mode picks, min_delta, baseline, restore_best_weights, the printed messages.
#include <filesystem>

#include "support/keras_files.hpp"

using namespace keras;
using keras::callbacks::EarlyStopping;
using keras::callbacks::EarlyStoppingOptions;
using keras::callbacks::Logs;
using keras::callbacks::ModelCheckpoint;
using keras::callbacks::ModelCheckpointOptions;
using keras::testing::random_data;
using keras::testing::same_weights;
using keras::testing::small_mlp;
using keras::testing::TempDir;

namespace {

// Drives a callback through epochs as fit would, with the given monitored values.
template <class CB>
void run_epochs(CB& cb, Sequential& model, const std::string& key,
                const std::vector<double>& values) {
  cb.set_model(&model);
  cb.on_train_begin({});
  for (size_t e = 0; e < values.size(); ++e) {
    cb.on_epoch_begin(int(e), {});
    cb.on_epoch_end(int(e), Logs{{key, values[e]}, {"loss", 1.0}});
    if (model.stop_training) break;
  }
  cb.on_train_end({});
}

}  // namespace

TEST(KerasCallbacks, FormatFilepathLikePython) {
  const Logs v{{"epoch", 3}, {"val_loss", 0.123456}, {"loss", 0.5}, {"acc", 1.0}};
  EXPECT_EQ(callbacks::format_filepath("m-{epoch:02d}-{val_loss:.2f}.keras", v), "m-03-0.12.keras");
  EXPECT_EQ(callbacks::format_filepath("{epoch}_{loss}_{acc}", v), "3_0.5_1.0");
  EXPECT_EQ(callbacks::format_filepath("{{epoch}}-{epoch:>4}-{val_loss:.3e}", v),
            "{epoch}-   3-1.235e-01");
  EXPECT_THROW(callbacks::format_filepath("{val_acc}.keras", v), ValueError);
  EXPECT_THROW(callbacks::format_filepath("{loss:d}.keras", v), ValueError);
}

TEST(KerasCallbacks, CheckpointSavesOnlyImprovementsWithKerasMessages) {
  TempDir tmp;
  Sequential model = small_mlp(1);
  ModelCheckpoint ckpt((tmp / "ckpt-{epoch:02d}.keras").string(),
                       {.monitor = "val_loss", .verbose = 1, .save_best_only = true});
  ::testing::internal::CaptureStdout();
  run_epochs(ckpt, model, "val_loss", {0.5, 0.4, 0.45, 0.3});
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(std::filesystem::exists(tmp / "ckpt-01.keras"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "ckpt-02.keras"));
  EXPECT_FALSE(std::filesystem::exists(tmp / "ckpt-03.keras"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "ckpt-04.keras"));
  EXPECT_NE(out.find("\nEpoch 1: val_loss improved from inf to 0.50000, saving model to " +
                     (tmp / "ckpt-01.keras").string() + "\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\nEpoch 3: val_loss did not improve from 0.40000\n"), std::string::npos)
      << out;
  EXPECT_DOUBLE_EQ(ckpt.best(), 0.3);
}

TEST(KerasCallbacks, CheckpointModes) {
  TempDir tmp;
  Sequential model = small_mlp(1);
  // "auto" with a compiled accuracy: higher is better.
  ModelCheckpoint acc(
      (tmp / "a-{epoch}.weights.h5").string(),
      {.monitor = "val_accuracy", .save_best_only = true, .save_weights_only = true});
  run_epochs(acc, model, "val_accuracy", {0.5, 0.6, 0.55});
  EXPECT_TRUE(std::filesystem::exists(tmp / "a-2.weights.h5"));
  EXPECT_FALSE(std::filesystem::exists(tmp / "a-3.weights.h5"));
  // An explicit mode overrides; an unknown metric in "auto" mode is an error, as in Keras.
  ModelCheckpoint mx((tmp / "m-{epoch}.keras").string(),
                     {.monitor = "val_loss", .save_best_only = true, .mode = "max"});
  run_epochs(mx, model, "val_loss", {0.5, 0.4});
  EXPECT_FALSE(std::filesystem::exists(tmp / "m-2.keras"));
  ModelCheckpoint unknown((tmp / "u.keras").string(),
                          {.monitor = "val_f1", .save_best_only = true});
  EXPECT_THROW(run_epochs(unknown, model, "val_f1", {0.5}), ValueError);
  // initial_value_threshold: only models better than it are saved.
  ModelCheckpoint thr(
      (tmp / "t-{epoch}.keras").string(),
      {.monitor = "val_loss", .save_best_only = true, .initial_value_threshold = 0.45});
  run_epochs(thr, model, "val_loss", {0.5, 0.4});
  EXPECT_FALSE(std::filesystem::exists(tmp / "t-1.keras"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "t-2.keras"));
  // Every epoch without save_best_only; a missing monitor still saves (with a warning).
  ModelCheckpoint all((tmp / "e-{epoch}.h5").string());
  run_epochs(all, model, "other", {1, 2});
  EXPECT_TRUE(std::filesystem::exists(tmp / "e-1.h5") && std::filesystem::exists(tmp / "e-2.h5"));
  // Bad paths are refused up front.
  EXPECT_THROW(ModelCheckpoint("x.weights.h5"), ValueError);
  EXPECT_THROW(ModelCheckpoint("x.keras", {.save_weights_only = true}), ValueError);
  EXPECT_THROW(ModelCheckpoint("x.keras", {.mode = "maximum"}), ValueError);
}

TEST(KerasCallbacks, EarlyStoppingPatienceAndRestore) {
  Sequential model = small_mlp(1);
  EarlyStopping stop({.monitor = "val_loss", .patience = 2, .restore_best_weights = true});
  stop.set_model(&model);
  stop.on_train_begin({});
  const std::vector<double> losses{1.0, 0.9, 0.95, 0.96, 0.97};
  std::vector<std::vector<Tensor>> weights_at_epoch;
  int epochs_run = 0;
  for (size_t e = 0; e < losses.size() && !model.stop_training; ++e) {
    // Pretend training changed the weights.
    auto w = model.get_weights();
    w[0][0] = float(e);
    model.set_weights(w);
    weights_at_epoch.push_back(model.get_weights());
    stop.on_epoch_end(int(e), {{"val_loss", losses[e]}});
    ++epochs_run;
  }
  stop.on_train_end({});
  EXPECT_EQ(epochs_run, 4);  // best at epoch 1, then 2 epochs without improvement
  EXPECT_EQ(stop.stopped_epoch(), 3);
  EXPECT_EQ(stop.best_epoch(), 1);
  EXPECT_EQ(model.get_weights()[0][0], 1.0f);  // restored from the best epoch
}

TEST(KerasCallbacks, EarlyStoppingMinDeltaBaselineWarmup) {
  {
    Sequential model = small_mlp(1);
    EarlyStopping stop({.monitor = "loss", .min_delta = 0.1, .patience = 1});
    stop.set_model(&model);
    stop.on_train_begin({});
    stop.on_epoch_end(0, {{"loss", 1.0}});
    stop.on_epoch_end(1, {{"loss", 0.95}});  // better by less than min_delta: no improvement
    EXPECT_TRUE(model.stop_training);
  }
  {
    Sequential model = small_mlp(1);
    EarlyStopping stop({.monitor = "val_accuracy", .patience = 2, .baseline = 0.9});
    // Improvements under the baseline do not reset the wait (without a baseline: stop at 3).
    run_epochs(stop, model, "val_accuracy", {0.5, 0.6, 0.6, 0.6});
    EXPECT_EQ(stop.stopped_epoch(), 2);
  }
  {
    Sequential model = small_mlp(1);
    EarlyStopping stop({.monitor = "val_loss", .patience = 0, .start_from_epoch = 2});
    run_epochs(stop, model, "val_loss", {1.0, 2.0, 3.0, 4.0});
    EXPECT_EQ(stop.stopped_epoch(), 3);  // epochs 0 and 1 are not monitored
  }
}

// The Keras docstring example: the loss diverges, patience 3 -> 4 epochs run.
TEST(KerasCallbacks, EarlyStoppingInFitKerasDocExample) {
  utils::set_random_seed(3);
  Sequential model{layers::Input({20}), layers::Dense(10)};
  model.compile(optimizers::SGD{}, "mse");
  Tensor x(Shape{5, 20}), y(Shape{5, 10});
  for (int64_t i = 0; i < x.size(); ++i) x[i] = float(i);
  auto stop =
      std::make_shared<EarlyStopping>(EarlyStoppingOptions{.monitor = "loss", .patience = 3});
  auto history =
      model.fit(x, y, {.epochs = 10, .batch_size = 1, .verbose = 0, .callbacks = {stop}});
  EXPECT_EQ(history.history["loss"].size(), 4u);
}

TEST(KerasCallbacks, CheckpointAndEarlyStoppingInFit) {
  TempDir tmp;
  Sequential model = small_mlp(8);
  auto [x, y] = random_data(400, 2);
  auto ckpt = std::make_shared<ModelCheckpoint>(
      (tmp / "best.keras").string(),
      ModelCheckpointOptions{.monitor = "val_loss", .save_best_only = true});
  auto stop = std::make_shared<EarlyStopping>(
      EarlyStoppingOptions{.monitor = "val_loss", .patience = 1, .restore_best_weights = true});
  auto history = model.fit(x, y,
                           {.epochs = 30,
                            .batch_size = 32,
                            .validation_split = 0.25,
                            .verbose = 0,
                            .callbacks = {ckpt, stop}});
  // Random labels: validation loss stops improving quickly.
  EXPECT_LT(history.history["val_loss"].size(), 30u);
  ASSERT_TRUE(std::filesystem::exists(tmp / "best.keras"));
  // The best checkpoint and the restored weights are the same model.
  Sequential best = models::load_model(tmp / "best.keras");
  EXPECT_TRUE(same_weights(best, model));
  // Batch-frequency saving.
  auto every = std::make_shared<ModelCheckpoint>(
      (tmp / "b-{epoch}-{batch}.weights.h5").string(),
      ModelCheckpointOptions{.save_weights_only = true, .save_freq = 5});
  model.fit(x, y,
            {.epochs = 1, .batch_size = 32, .verbose = 0, .callbacks = {every}});  // 13 batches
  EXPECT_TRUE(std::filesystem::exists(tmp / "b-1-5.weights.h5"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "b-1-10.weights.h5"));
}
