#include "keras/utils/i18n.hpp"

#include <array>
#include <cctype>
#include <cstdlib>

#include "keras/core/error.hpp"

namespace keras::utils {
namespace {

struct Entry {
  Message message;
  std::string_view zh, en;
};

// One row per Message, in the enum's order (checked below).
constexpr std::array kTable{
    Entry{Message::training_set, "训练集", "Training set"},
    Entry{Message::test_set, "测试集", "Test set"},
    Entry{Message::test_accuracy, "测试集准确率", "Test accuracy"},
    Entry{Message::predicted_classes, "预测结果", "Predicted"},
    Entry{Message::true_labels, "真实标签", "True labels"},
    Entry{Message::saved_training_plot, "训练曲线已保存到", "Training curves saved to"},
    Entry{Message::saved_predictions_plot, "预测结果图已保存到", "Prediction grid saved to"},
    Entry{Message::loss, "损失", "loss"},
    Entry{Message::accuracy, "准确率", "accuracy"},
    Entry{Message::training_series, "训练{}", "Training {}"},
    Entry{Message::validation_series, "验证{}", "Validation {}"},
    Entry{Message::curve_title, "{}曲线", "{} curve"},
    Entry{Message::prediction_title, "预测: {}, 真实: {}", "Pred: {}, True: {}"},
};

constexpr bool table_in_enum_order() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].message) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "kTable rows must follow the order of enum Message");

// Whether a language or locale name ("zh", "zh_CN.UTF-8", "en-US") is in language `code`.
bool is_language(std::string_view name, std::string_view code) {
  if (name.size() < code.size()) return false;
  for (size_t i = 0; i < code.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(name[i])) != code[i]) return false;
  return name.size() == code.size() ||
         std::string_view("_-.@").find(name[code.size()]) != std::string_view::npos;
}

}  // namespace

Language default_language() {
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(var);
    if (!value || !*value) continue;
    // The first one set is the locale in effect. "C" and "POSIX" name no language: the
    // tutorial's Chinese then, as with no locale at all.
    if (is_language(value, "zh") || is_language(value, "c") || is_language(value, "posix"))
      return Language::zh;
    return Language::en;
  }
  return Language::zh;
}

Language parse_language(std::string_view name) {
  if (is_language(name, "zh")) return Language::zh;
  if (is_language(name, "en")) return Language::en;
  throw ValueError("language '" + std::string(name) +
                   "' is not supported: use zh (Chinese) or en (English)");
}

std::string_view language_code(Language lang) {
  return lang == Language::zh ? "zh" : "en";
}

std::string_view tr(Message message, Language lang) {
  const Entry& e = kTable.at(static_cast<size_t>(message));
  return lang == Language::zh ? e.zh : e.en;
}

std::string format(std::string_view pattern, std::initializer_list<std::string_view> args) {
  std::string out;
  auto arg = args.begin();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '}' && arg != args.end()) {
      out += *arg++;
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace keras::utils
