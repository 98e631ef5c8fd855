// keras::plot and keras::utils::i18n: the pictures are drawn headless by gnuplot and looked at
// pixel by pixel (libpng): sizes, colours of the titles, Chinese glyphs, and what bad paths do.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <keras/keras.hpp>
#include <sstream>

#include "support/png_image.hpp"
#include "support/test_support.hpp"

namespace {

namespace fs = std::filesystem;
using keras::testing::error_of;
using keras::testing::read_png;
using keras::testing::RgbImage;
using keras::testing::TempDir;
using keras::utils::Language;
using keras::utils::Message;

// gnuplot is a dependency (tools/deps/plot.txt): CI fails without it, a developer's run skips.
#define KERASCPP_REQUIRE_GNUPLOT()                                    \
  if (!keras::plot::find_gnuplot()) {                                 \
    if (::keras::testing::require_data())                             \
      FAIL() << "gnuplot not found (apt-get install gnuplot-nox)";    \
    GTEST_SKIP() << "gnuplot not found; apt-get install gnuplot-nox"; \
  }

// Sets (or, with nullptr, unsets) an environment variable for the scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

std::map<std::string, std::vector<double>> tutorial_history() {
  return {{"loss", {0.2967, 0.1424, 0.1073, 0.0876, 0.0751}},
          {"val_loss", {0.1402, 0.1015, 0.0887, 0.0819, 0.0760}},
          {"accuracy", {0.9139, 0.9574, 0.9673, 0.9729, 0.9762}},
          {"val_accuracy", {0.9593, 0.9710, 0.9740, 0.9758, 0.9777}}};
}

// The tutorial's history plus one more metric and its validation series.
std::map<std::string, std::vector<double>> with_metric(const std::string& name,
                                                       std::vector<double> train,
                                                       std::vector<double> validation) {
  auto h = tutorial_history();
  h[name] = std::move(train);
  h["val_" + name] = std::move(validation);
  return h;
}

// n synthetic 28x28 "digits": a bright bar on black, at a different place in each.
keras::ByteArray digits(int64_t n) {
  keras::ByteArray x(keras::Shape{n, 28, 28});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 4; r < 24; ++r)
      for (int64_t c = 0; c < 4; ++c)
        x.at({i, r, (6 + 2 * i + c) % 28}) = static_cast<uint8_t>(255 - 8 * c);
  return x;
}

// One-hot probabilities predicting `predicted[i]` for image i.
keras::Tensor one_hot(const std::vector<int64_t>& predicted, int64_t classes = 10) {
  keras::Tensor p(keras::Shape{static_cast<int64_t>(predicted.size()), classes});
  for (size_t i = 0; i < predicted.size(); ++i) p.at({static_cast<int64_t>(i), predicted[i]}) = 1;
  return p;
}

keras::ByteArray labels(const std::vector<uint8_t>& values) {
  return keras::ByteArray(keras::Shape{static_cast<int64_t>(values.size())}, values);
}

struct Colour {
  int r, g, b;
};
bool near(std::array<uint8_t, 3> px, Colour c, int tolerance) {
  return std::abs(px[0] - c.r) <= tolerance && std::abs(px[1] - c.g) <= tolerance &&
         std::abs(px[2] - c.b) <= tolerance;
}
// Anti-aliased text is lighter than its colour; these accept the core of a glyph's stroke only.
bool greenish(std::array<uint8_t, 3> px) {
  return px[1] > 90 && px[0] < 100 && px[2] < 100 && px[1] > px[0] + 50;
}
bool reddish(std::array<uint8_t, 3> px) {
  return px[0] > 180 && px[1] < 110 && px[2] < 110 && px[0] > px[1] + 100;
}

int count_in(const RgbImage& img, int x0, int y0, int x1, int y1,
             bool (*pred)(std::array<uint8_t, 3>)) {
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += pred(img.at(x, y));
  return n;
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---------------------------------------------------------------- language

TEST(I18n, TutorialWording) {
  EXPECT_EQ(keras::utils::tr(Message::training_set, Language::zh), "训练集");
  EXPECT_EQ(keras::utils::tr(Message::test_set, Language::zh), "测试集");
  EXPECT_EQ(keras::utils::tr(Message::test_accuracy, Language::zh), "测试集准确率");
  EXPECT_EQ(keras::utils::tr(Message::predicted_classes, Language::zh), "预测结果");
  EXPECT_EQ(keras::utils::tr(Message::true_labels, Language::zh), "真实标签");
  auto zh = [](Message m, std::string_view arg) {
    return keras::utils::format(keras::utils::tr(m, Language::zh), {arg});
  };
  EXPECT_EQ(zh(Message::training_series, "损失"), "训练损失");
  EXPECT_EQ(zh(Message::validation_series, "准确率"), "验证准确率");
  EXPECT_EQ(zh(Message::curve_title, "损失"), "损失曲线");
  EXPECT_EQ(
      keras::utils::format(keras::utils::tr(Message::prediction_title, Language::zh), {"7", "7"}),
      "预测: 7, 真实: 7");
  EXPECT_EQ(
      keras::utils::format(keras::utils::tr(Message::prediction_title, Language::en), {"7", "1"}),
      "Pred: 7, True: 1");
  EXPECT_EQ(keras::utils::tr(Message::test_accuracy, Language::en), "Test accuracy");
}

TEST(I18n, ParseLanguage) {
  EXPECT_EQ(keras::utils::parse_language("zh"), Language::zh);
  EXPECT_EQ(keras::utils::parse_language("ZH_cn.UTF-8"), Language::zh);
  EXPECT_EQ(keras::utils::parse_language("en"), Language::en);
  EXPECT_EQ(keras::utils::parse_language("en-US"), Language::en);
  EXPECT_THROW(keras::utils::parse_language("fr"), keras::ValueError);
  EXPECT_THROW(keras::utils::parse_language("zhx"), keras::ValueError);
  EXPECT_EQ(keras::utils::language_code(Language::zh), "zh");
}

TEST(I18n, DefaultLanguageFollowsTheLocale) {
  {
    ScopedEnv a("LC_ALL", nullptr), m("LC_MESSAGES", nullptr), l("LANG", "zh_CN.UTF-8");
    EXPECT_EQ(keras::utils::default_language(), Language::zh);
  }
  {
    ScopedEnv a("LC_ALL", "en_GB.UTF-8"), m("LC_MESSAGES", nullptr), l("LANG", "zh_CN.UTF-8");
    EXPECT_EQ(keras::utils::default_language(), Language::en);  // LC_ALL wins
  }
  {
    ScopedEnv a("LC_ALL", ""), m("LC_MESSAGES", "zh_TW"), l("LANG", "en_US.UTF-8");
    EXPECT_EQ(keras::utils::default_language(), Language::zh);  // empty means unset
  }
  {
    ScopedEnv a("LC_ALL", nullptr), m("LC_MESSAGES", nullptr), l("LANG", "de_DE.UTF-8");
    EXPECT_EQ(keras::utils::default_language(), Language::en);  // any other language: English
  }
  // No language named: the tutorial's Chinese.
  for (const char* none : {"C", "C.UTF-8", "POSIX"}) {
    ScopedEnv a("LC_ALL", none), m("LC_MESSAGES", nullptr), l("LANG", "en_US.UTF-8");
    EXPECT_EQ(keras::utils::default_language(), Language::zh) << none;
  }
  {
    ScopedEnv a("LC_ALL", nullptr), m("LC_MESSAGES", nullptr), l("LANG", nullptr);
    EXPECT_EQ(keras::utils::default_language(), Language::zh);
  }
}

// ---------------------------------------------------------------- training curves

TEST(PlotHistory, TwoPanelsWithBothSeries) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  keras::plot::history(tutorial_history(), dir / "training.png", {.lang = Language::zh});
  const RgbImage img = read_png(dir / "training.png");
  ASSERT_EQ(img.width, 1200);  // matplotlib's figsize (12, 4) at 100 dpi
  ASSERT_EQ(img.height, 400);
  // Each panel holds a blue (C0, training) and an orange (C1, validation) line.
  auto is_blue = [](std::array<uint8_t, 3> p) { return near(p, {0x1f, 0x77, 0xb4}, 30); };
  auto is_orange = [](std::array<uint8_t, 3> p) { return near(p, {0xff, 0x7f, 0x0e}, 30); };
  for (int panel = 0; panel < 2; ++panel) {
    const int x0 = panel * 600, x1 = x0 + 600;
    EXPECT_GT(count_in(img, x0, 0, x1, 400, +is_blue), 200) << "panel " << panel;
    EXPECT_GT(count_in(img, x0, 0, x1, 400, +is_orange), 200) << "panel " << panel;
  }
  EXPECT_EQ(entries(dir.path()),
            std::vector<std::string>{"training.png"});  // no temporary file left
}

TEST(PlotHistory, EveryMetricGetsAPanelAndSizesFollowFigsize) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  const auto h = with_metric("mae", {0.5, 0.4, 0.3, 0.25, 0.2}, {0.45, 0.41, 0.33, 0.3, 0.28});
  keras::plot::history(h, dir / "three.png", {.lang = Language::en});
  RgbImage img = read_png(dir / "three.png");
  EXPECT_EQ(img.width, 1800);
  EXPECT_EQ(img.height, 400);
  keras::plot::history(h, dir / "small.png", {.metrics = {"loss"}, .figsize = {8, 3}, .dpi = 50});
  img = read_png(dir / "small.png");
  EXPECT_EQ(img.width, 400);
  EXPECT_EQ(img.height, 150);
  // One epoch draws dots (a line needs two points).
  keras::plot::history({{"loss", {0.3}}}, dir / "one.png");
  EXPECT_EQ(read_png(dir / "one.png").width, 600);
}

TEST(PlotHistory, SvgKeepsUnderscoresLiteral) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  const auto h =
      with_metric("top_k", {0.9, 0.95, 0.96, 0.97, 0.98}, {0.91, 0.94, 0.95, 0.96, 0.97});
  keras::plot::history(h, dir / "training.SVG", {.lang = Language::en});
  const std::string svg = slurp(dir / "training.SVG");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("width=\"1296\""), std::string::npos);  // 3 panels x 6 in x 72 pt
  // gnuplot's enhanced text would make "_k" a subscript (a separate <tspan>); noenhanced keeps it.
  EXPECT_NE(svg.find("Validation top_k"), std::string::npos);
  EXPECT_NE(svg.find("Training loss"), std::string::npos);
  EXPECT_NE(svg.find("Accuracy curve"), std::string::npos);
}

TEST(PlotHistory, BadArguments) {
  TempDir dir;
  EXPECT_THROW(keras::plot::history(std::map<std::string, std::vector<double>>{}, dir / "h.png"),
               keras::ValueError);
  const std::string unknown = error_of(
      [&] { keras::plot::history(tutorial_history(), dir / "h.png", {.metrics = {"mse"}}); });
  EXPECT_NE(unknown.find("'mse' is not in the history (it has: accuracy, loss)"), std::string::npos)
      << unknown;
  const std::string format =
      error_of([&] { keras::plot::history(tutorial_history(), dir / "h.jpg"); });
  EXPECT_NE(format.find("*.png or *.svg"), std::string::npos) << format;
  EXPECT_THROW(keras::plot::history(tutorial_history(), dir / "h.png", {.figsize = {-1, 4}}),
               keras::ValueError);
  EXPECT_TRUE(entries(dir.path()).empty());
}

// ---------------------------------------------------------------- prediction grid

TEST(PlotPredictions, TutorialGridSize) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  const auto x = digits(12);
  const auto y = labels({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1});
  const auto p = one_hot({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  keras::plot::predictions(x, y, p, dir / "predictions.png", {.n = 10});
  RgbImage img = read_png(dir / "predictions.png");
  EXPECT_EQ(img.width, 1200);  // 2x5 grid in matplotlib's figsize (12, 4)
  EXPECT_EQ(img.height, 400);
  keras::plot::predictions(x, y, p, dir / "three.png", {.n = 3});
  img = read_png(dir / "three.png");
  EXPECT_EQ(img.width, 720);  // one row of three
  EXPECT_EQ(img.height, 200);
  keras::plot::predictions(x, y, p, dir / "seven.png", {.n = 7, .columns = 4});
  img = read_png(dir / "seven.png");
  EXPECT_EQ(img.width, 960);
  EXPECT_EQ(img.height, 400);
  keras::plot::predictions(x, y, p, dir / "grid.svg", {.n = 10});
  const std::string svg = slurp(dir / "grid.svg");
  EXPECT_NE(svg.find("width=\"864\""), std::string::npos);  // 12 in x 72 pt
  EXPECT_NE(svg.find("<image"), std::string::npos);         // the digits, as embedded bitmaps
}

TEST(PlotPredictions, TitleGreenWhenRightRedWhenWrong) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  // Image 0: predicted 7, true 7 (right). Image 1: predicted 3, true 8 (wrong).
  keras::plot::predictions(digits(2), labels({7, 8}), one_hot({7, 3}), dir / "p.png",
                           {.n = 2, .lang = Language::zh});
  const RgbImage img = read_png(dir / "p.png");
  ASSERT_EQ(img.width, 480);
  ASSERT_EQ(img.height, 200);
  const int band = 50;  // the titles sit in the top quarter of each cell, above the image
  EXPECT_GT(count_in(img, 0, 0, 240, band, greenish), 40);
  EXPECT_EQ(count_in(img, 0, 0, 240, band, reddish), 0);
  EXPECT_GT(count_in(img, 240, 0, 480, band, reddish), 40);
  EXPECT_EQ(count_in(img, 240, 0, 480, band, greenish), 0);
  // The images themselves are gray: no colour anywhere below the titles.
  EXPECT_EQ(count_in(img, 0, band, 480, 200, greenish) + count_in(img, 0, band, 480, 200, reddish),
            0);
}

TEST(PlotPredictions, FloatAndByteImagesLookTheSame) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  const auto x = digits(3);
  const keras::Tensor xf = x.astype<float>() / 255.0f;  // the tutorial's preprocessing
  const auto y = labels({1, 2, 3});
  keras::plot::predictions(x, y, one_hot({1, 2, 3}), dir / "bytes.png", {.n = 3});
  keras::plot::predictions(xf.reshape({3, 28, 28, 1}), y, one_hot({1, 2, 3}), dir / "floats.png",
                           {.n = 3});
  EXPECT_EQ(read_png(dir / "bytes.png").rgb,
            read_png(dir / "floats.png").rgb);  // imshow scales each image
}

TEST(PlotPredictions, ClassNamesForFashionMnist) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  const std::vector<std::string> fashion{"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                         "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                         "Bag",         "Ankle boot"};
  keras::plot::predictions(digits(4), labels({9, 0, 8, 2}), one_hot({9, 0, 7, 2}),
                           dir / "fashion.png",
                           {.n = 4, .class_names = fashion, .lang = Language::en});
  const RgbImage img = read_png(dir / "fashion.png");
  EXPECT_EQ(img.width, 960);
  EXPECT_GT(count_in(img, 480, 0, 720, 50, reddish), 20);  // Sneaker for a Bag
  const std::string missing = error_of([&] {
    keras::plot::predictions(digits(1), labels({9}), one_hot({9}), dir / "x.png",
                             {.n = 1, .class_names = {"a", "b"}});
  });
  EXPECT_NE(missing.find("class 9 of image 0 has no name"), std::string::npos) << missing;
}

TEST(PlotPredictions, BadShapes) {
  TempDir dir;
  const auto x = digits(3);
  const auto y = labels({1, 2, 3});
  const auto p = one_hot({1, 2, 3});
  const std::string few =
      error_of([&] { keras::plot::predictions(x, y, p, dir / "p.png", {.n = 10}); });
  EXPECT_NE(few.find("images hold 3 images, fewer than n = 10"), std::string::npos) << few;
  EXPECT_THROW(keras::plot::predictions(x.reshape({3, 784}), y, p, dir / "p.png", {.n = 3}),
               keras::ValueError);
  EXPECT_THROW(keras::plot::predictions(x, y.head(2), p, dir / "p.png", {.n = 3}),
               keras::ValueError);
  EXPECT_THROW(keras::plot::predictions(x, y, p.reshape({30}), dir / "p.png", {.n = 3}),
               keras::ValueError);
  EXPECT_THROW(keras::plot::predictions(x, y, p, dir / "p.png", {.n = 0}), keras::ValueError);
  EXPECT_TRUE(entries(dir.path()).empty());
}

// ---------------------------------------------------------------- Chinese glyphs
//
// Pango draws a character its font lacks from a fallback font, or as a "missing glyph" box when
// no installed font has it. So: draw the Chinese title twice, with the fonts as installed and
// with every font covering Chinese hidden from fontconfig (FONTCONFIG_FILE pointing to a config
// that includes the system's and rejects fonts for lang zh-cn). If the pictures differ, the
// first one took its Chinese glyphs from a CJK font; a control picture with an English title
// must come out identical both ways (the hidden fonts only matter for Chinese); and the
// Chinese ink must stay a line of text in the title band (real glyphs, not a page-sized box).

// Rows (top, bottom) holding ink above the image in a one-image grid; the image starts at the
// first row with an unbroken run of ink across 40% of the width (text has gaps between strokes).
struct TitleInk {
  int first_row = -1, last_row = -1, pixels = 0, image_top = -1;
};
TitleInk title_ink(const RgbImage& img) {
  TitleInk t;
  for (int y = 0; y < img.height && t.image_top < 0; ++y) {
    int run = 0, longest = 0;
    for (int x = 0; x < img.width; ++x) {
      run = near(img.at(x, y), {255, 255, 255}, 40) ? 0 : run + 1;
      longest = std::max(longest, run);
    }
    if (longest > img.width * 2 / 5) t.image_top = y;
  }
  for (int y = 0; y < (t.image_top < 0 ? img.height : t.image_top); ++y)
    for (int x = 0; x < img.width; ++x)
      if (!near(img.at(x, y), {255, 255, 255}, 40)) {
        if (t.first_row < 0) t.first_row = y;
        t.last_row = y;
        ++t.pixels;
      }
  return t;
}

int differing_pixels(const RgbImage& a, const RgbImage& b) {
  if (a.width != b.width || a.height != b.height) return a.width * a.height;
  int n = 0;
  for (size_t i = 0; i < a.rgb.size(); i += 3)
    n += a.rgb[i] != b.rgb[i] || a.rgb[i + 1] != b.rgb[i + 1] || a.rgb[i + 2] != b.rgb[i + 2];
  return n;
}

TEST(PlotChinese, TitlesRenderAsGlyphsFromACjkFont) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  const fs::path no_cjk = dir / "no-cjk-fonts.conf";
  std::ofstream(no_cjk) << R"(<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><pattern><patelt name="lang"><string>zh-cn</string></patelt></pattern></rejectfont></selectfont>
</fontconfig>
)";
  const auto x = digits(1);
  const auto y = labels({7});
  const auto p = one_hot({7});
  auto draw = [&](const std::string& name, Language lang, bool hide_cjk) {
    ScopedEnv env("FONTCONFIG_FILE", hide_cjk ? no_cjk.c_str() : nullptr);
    keras::plot::predictions(x, y, p, dir / name, {.n = 1, .lang = lang});
    return read_png(dir / name);
  };
  const RgbImage zh = draw("zh.png", Language::zh, false);
  const RgbImage zh_hidden = draw("zh-hidden.png", Language::zh, true);
  const RgbImage en = draw("en.png", Language::en, false);
  const RgbImage en_hidden = draw("en-hidden.png", Language::en, true);

  EXPECT_EQ(differing_pixels(en, en_hidden), 0) << "hiding CJK fonts changed an English title";
  EXPECT_GT(differing_pixels(zh, zh_hidden), 100)
      << "预测/真实 look the same with and without CJK fonts: no CJK font is installed "
         "(apt-get install fonts-wqy-microhei)";
  const TitleInk ink = title_ink(zh);
  ASSERT_GT(ink.image_top, 0);
  ASSERT_GE(ink.first_row, 0) << "no title drawn";
  const int line_px =
      static_cast<int>(12 * 100 / 72.0 * 1.6);  // one 12 pt line at 100 dpi, generous
  EXPECT_LE(ink.last_row - ink.first_row + 1, line_px) << "the Chinese title is not a line of text";
  // Six Chinese characters carry much more ink than the English title's letters alone would.
  EXPECT_GT(ink.pixels, title_ink(en).pixels / 2);
}

// ---------------------------------------------------------------- files

TEST(PlotFiles, MissingDirectory) {
  TempDir dir;
  const std::string message =
      error_of([&] { keras::plot::history(tutorial_history(), dir / "nope" / "h.png"); });
  EXPECT_NE(
      message.find("directory " + (dir / "nope").string() + " does not exist; create it first"),
      std::string::npos)
      << message;
  EXPECT_TRUE(entries(dir.path()).empty());
}

TEST(PlotFiles, DirectoryNotWritable) {
  TempDir dir;
  // Root writes anywhere a mode allows nothing; sysfs refuses new files even to root.
  fs::path locked = dir / "locked";
  if (::geteuid() == 0) {
    locked = "/sys";
  } else {
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  }
  const auto before = entries(locked);
  const std::string message = error_of([&] {
    keras::plot::predictions(digits(1), labels({1}), one_hot({1}), locked / "p.png", {.n = 1});
  });
  EXPECT_NE(message.find("cannot create a file in directory " + locked.string()), std::string::npos)
      << message;
  EXPECT_NE(message.find("choose a writable directory"), std::string::npos) << message;
  EXPECT_EQ(entries(locked), before);
  if (locked != "/sys") fs::permissions(locked, fs::perms::owner_all);
}

TEST(PlotFiles, TargetIsADirectory) {
  TempDir dir;
  fs::create_directory(dir / "training.png");
  const std::string message =
      error_of([&] { keras::plot::history(tutorial_history(), dir / "training.png"); });
  EXPECT_NE(message.find("it is a directory"), std::string::npos) << message;
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"training.png"});
}

TEST(PlotFiles, GnuplotMissingSaysHowToInstall) {
  TempDir dir;
  ScopedEnv env("KERASCPP_GNUPLOT", (dir / "no-such-gnuplot").c_str());
  EXPECT_FALSE(keras::plot::find_gnuplot());
  const std::string message =
      error_of([&] { keras::plot::history(tutorial_history(), dir / "h.png"); });
  EXPECT_NE(message.find("apt-get install gnuplot-nox"), std::string::npos) << message;
  EXPECT_TRUE(entries(dir.path()).empty());
}

TEST(PlotFiles, FailingGnuplotLeavesNoPartialFileAndKeepsTheOldOne) {
  TempDir dir;
  // A stand-in gnuplot that writes half a picture to its output file, complains and fails.
  const fs::path fake = dir / "fake-gnuplot";
  std::ofstream(fake) << "#!/bin/sh\n"
                         "out=$(sed -n \"s/^set output '\\(.*\\)'$/\\1/p\" | head -n 1)\n"
                         "printf 'half a picture' > \"$out\"\n"
                         "echo 'fake gnuplot: out of ink' >&2\n"
                         "exit 1\n";
  fs::permissions(fake, fs::perms::owner_all);
  ScopedEnv env("KERASCPP_GNUPLOT", fake.c_str());
  const fs::path out = dir / "out";
  fs::create_directory(out);
  std::ofstream(out / "training.png") << "the previous picture";
  const std::string message =
      error_of([&] { keras::plot::history(tutorial_history(), out / "training.png"); });
  EXPECT_NE(message.find("failed drawing"), std::string::npos) << message;
  EXPECT_NE(message.find("fake gnuplot: out of ink"), std::string::npos) << message;
  EXPECT_EQ(entries(out), std::vector<std::string>{"training.png"});
  EXPECT_EQ(slurp(out / "training.png"), "the previous picture");
}

TEST(PlotFiles, OddNames) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  const fs::path odd = dir / "it's a \"dir\" \\ 图";  // quotes, backslash, space, Chinese
  fs::create_directory(odd);
  keras::plot::history(tutorial_history(), odd / "训练 'curves'.png");
  EXPECT_EQ(read_png(odd / "训练 'curves'.png").width, 1200);
  EXPECT_EQ(entries(odd), std::vector<std::string>{"训练 'curves'.png"});
  EXPECT_THROW(keras::plot::history(tutorial_history(), dir / "new\nline.png"), keras::ValueError);
}

TEST(PlotFiles, ReplacesAnExistingPictureAtomically) {
  KERASCPP_REQUIRE_GNUPLOT();
  TempDir dir;
  std::ofstream(dir / "training.png") << "old";
  keras::plot::history(tutorial_history(), dir / "training.png");
  EXPECT_EQ(read_png(dir / "training.png").width, 1200);
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"training.png"});
  struct stat st {};
  ASSERT_EQ(::stat((dir / "training.png").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);  // not the temporary file's private 0600
}

}  // namespace
