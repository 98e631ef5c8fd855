// summary() and the progress bar, byte for byte against Keras 3 (keras-behavior.md §5, §6).
#include <gtest/gtest.h>

#include <keras/keras.hpp>
#include <sstream>

using namespace keras;
using namespace keras::layers;

namespace {

Sequential tutorial_model() {
  backend::clear_session();
  return Sequential{Flatten({28, 28}), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax")};
}

const char* kSummary76 =
    "Model: \"sequential\"\n"
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ flatten (Flatten)               │ (None, 784)            │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense (Dense)                   │ (None, 128)            │       100,480 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dropout (Dropout)               │ (None, 128)            │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense_1 (Dense)                 │ (None, 10)             │         1,290 │\n"
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    " Total params: 101,770 (397.54 KB)\n"
    " Trainable params: 101,770 (397.54 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n";

const char* kSummary88 =
    "Model: \"sequential\"\n"
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩\n"
    "│ flatten (Flatten)                    │ (None, 784)                 │               0 │\n"
    "├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤\n"
    "│ dense (Dense)                        │ (None, 128)                 │         100,480 │\n"
    "├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤\n"
    "│ dropout (Dropout)                    │ (None, 128)                 │               0 │\n"
    "├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤\n"
    "│ dense_1 (Dense)                      │ (None, 10)                  │           1,290 │\n"
    "└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘\n"
    " Total params: 101,770 (397.54 KB)\n"
    " Trainable params: 101,770 (397.54 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n";

}  // namespace

TEST(Summary, MatchesKerasOffATerminal) {
  auto model = tutorial_model();
  EXPECT_EQ(model.summary_string(76), kSummary76);
  std::ostringstream os;
  model.summary(os);  // not a terminal: 76 columns unless $COLUMNS says otherwise
  if (!std::getenv("COLUMNS")) {
    EXPECT_EQ(os.str(), kSummary76);
  }
}

TEST(Summary, MatchesKerasOnAWideTerminal) {
  EXPECT_EQ(tutorial_model().summary_string(88), kSummary88);
}

TEST(Summary, CountsOptimizerVariablesAfterFit) {
  auto model = tutorial_model();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  Tensor x(Shape{4, 28, 28}, 0.5f);
  ByteArray y(Shape{4}, std::vector<uint8_t>{1, 2, 3, 4});
  model.fit(x, y, {.epochs = 1, .verbose = 0});
  const std::string s = model.summary_string(76);
  const std::string footer =
      " Total params: 305,312 (1.16 MB)\n"
      " Trainable params: 101,770 (397.54 KB)\n"
      " Non-trainable params: 0 (0.00 B)\n"
      " Optimizer params: 203,542 (795.09 KB)\n";
  EXPECT_EQ(s.substr(s.size() - footer.size()), footer);
}

TEST(Summary, StylesOnlyForTerminals) {
  const std::string styled = tutorial_model().summary_string(76, true);
  EXPECT_NE(styled.find("\x1b[1mModel: \"sequential\"\x1b[0m"), std::string::npos);
  EXPECT_NE(styled.find("\x1b[38;5;33mDense\x1b[0m"), std::string::npos);
  EXPECT_NE(styled.find("\x1b[38;5;45mNone\x1b[0m"), std::string::npos);
  EXPECT_EQ(tutorial_model().summary_string(76).find('\x1b'), std::string::npos);
}

TEST(Summary, FormatsSizesAndCounts) {
  EXPECT_EQ(utils::readable_memory_size(407080), "397.54 KB");
  EXPECT_EQ(utils::readable_memory_size(0), "0.00 B");
  EXPECT_EQ(utils::readable_memory_size(1221252), "1.16 MB");
  EXPECT_EQ(utils::with_thousands(101770), "101,770");
  EXPECT_EQ(utils::with_thousands(0), "0");
}

TEST(Naming, FollowsKerasCounters) {
  backend::clear_session();
  Dense a(1), b(1);
  Flatten f;
  EXPECT_EQ(a.name(), "dense");
  EXPECT_EQ(b.name(), "dense_1");
  EXPECT_EQ(f.name(), "flatten");
  EXPECT_EQ(to_snake_case("MaxPooling2D"), "max_pooling2d");
  EXPECT_EQ(to_snake_case("Conv2D"), "conv2d");
  EXPECT_EQ(to_snake_case("GlobalAveragePooling2D"), "global_average_pooling2d");
  EXPECT_EQ(to_snake_case("BatchNormalization"), "batch_normalization");
}

// ---- progress bar -------------------------------------------------------------------------

namespace {
struct FakeClock {
  double t = 0;
};
utils::Progbar::Options bar_options(std::ostream& os, FakeClock& clock, bool dynamic,
                                    int verbose = 1) {
  utils::Progbar::Options o;
  o.out = &os;
  o.dynamic_display = dynamic;
  o.verbose = verbose;
  o.clock = [&clock] { return clock.t; };
  return o;
}
}  // namespace

TEST(Progbar, MatchesKerasBytesOnATerminal) {
  // keras-behavior.md §5.5: 12 steps, first and final update of epoch 1.
  std::ostringstream os;
  FakeClock clock;
  utils::Progbar bar(12, bar_options(os, clock, true));
  clock.t = 0.002;
  bar.update(1, {{"accuracy", 0.75}, {"loss", 0.5}});
  clock.t = 0.002 + 11 * 0.038;
  bar.update(
      12, {{"accuracy", 0.7748}, {"loss", 0.4505}, {"val_accuracy", 0.9667}, {"val_loss", 0.1235}},
      true);
  const std::string expected =
      "\r\x1b[1m 1/12\x1b[0m \x1b[32m━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━━━━━\x1b[0m \x1b[1m0s\x1b[0m "
      "2ms/step"
      " - accuracy: 0.7500 - loss: 0.5000" +
      std::string(72, '\b') +
      "\r\x1b[1m12/12\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m0s\x1b[0m "
      "38ms/step"
      " - accuracy: 0.7748 - loss: 0.4505 - val_accuracy: 0.9667 - val_loss: 0.1235\n";
  EXPECT_EQ(os.str(), expected);
}

TEST(Progbar, PredictLineIsWrittenTwiceLikeKeras) {
  std::ostringstream os;
  FakeClock clock;
  utils::Progbar bar(1, bar_options(os, clock, true));
  clock.t = 0.072;
  bar.update(1);
  bar.update(1, {}, true);
  const std::string line =
      "\x1b[1m1/1\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m0s\x1b[0m "
      "72ms/step";
  EXPECT_EQ(os.str(), "\r" + line + std::string(37, '\b') + "\r" + line + "\n");
}

TEST(Progbar, ThrottlesRedrawsToTwentyPerSecond) {
  std::ostringstream os;
  FakeClock clock;
  utils::Progbar bar(100, bar_options(os, clock, true));
  for (int i = 1; i <= 100; ++i) {
    clock.t = i * 0.001;  // 100 steps in 0.1 s
    bar.update(i, {{"loss", 1.0}});
  }
  size_t redraws = 0;
  for (char c : os.str()) redraws += c == '\r';
  EXPECT_LE(redraws, 3u);
  EXPECT_GE(redraws, 2u);
}

TEST(Progbar, VerboseTwoPrintsOnePlainLine) {
  std::ostringstream os;
  FakeClock clock;
  utils::Progbar bar(1688, bar_options(os, clock, false, 2));
  for (int i = 1; i <= 1688; ++i) {
    clock.t = i * 0.002;
    bar.update(i, {{"accuracy", 0.9149}, {"loss", 0.2965}});
  }
  clock.t = 4.2;
  bar.update(
      1688,
      {{"accuracy", 0.9149}, {"loss", 0.2965}, {"val_accuracy", 0.9625}, {"val_loss", 0.1287}},
      true);
  EXPECT_EQ(os.str(),
            "1688/1688 - 4s - 2ms/step - accuracy: 0.9149 - loss: 0.2965 - val_accuracy: 0.9625 - "
            "val_loss: 0.1287\n");
}

TEST(Progbar, OffATerminalWritesOnlyFinishedLines) {
  // Deliberate difference from Keras (documented): no \b/\r redraws in files and pipes.
  std::ostringstream os;
  FakeClock clock;
  utils::Progbar bar(313, bar_options(os, clock, false));
  for (int i = 1; i <= 313; ++i) {
    clock.t = i * 0.001;
    bar.update(i, {{"accuracy", 0.9776}, {"loss", 0.0747}}, i == 313);
  }
  EXPECT_EQ(os.str(),
            "313/313 ━━━━━━━━━━━━━━━━━━━━ 0s 1ms/step - accuracy: 0.9776 - loss: 0.0747\n");
}

TEST(Progbar, FormatsTimesAndSmallValuesLikeKeras) {
  EXPECT_EQ(utils::Progbar::format_time(0.0025, "step"), "2ms/step");  // round half to even
  EXPECT_EQ(utils::Progbar::format_time(0.000591, "step"), "591us/step");
  EXPECT_EQ(utils::Progbar::format_time(0.0, "step"), "0s/step");
  EXPECT_EQ(utils::Progbar::format_time(2.4, "step"), "2s/step");
  std::ostringstream os;
  FakeClock clock;
  utils::Progbar bar(2, bar_options(os, clock, false));
  clock.t = 1;
  bar.update(2, {{"loss", 0.0005}}, true);
  EXPECT_NE(os.str().find("loss: 5.0000e-04"), std::string::npos) << os.str();
}
