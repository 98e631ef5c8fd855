// The user-facing words of kerascpp (the first-model example and the pictures) in Chinese (the
// tutorial's wording) and English, and the one setting that chooses between them.
//
//   auto lang = keras::utils::default_language();          // from the locale
//   std::cout << keras::utils::tr(Message::test_accuracy, lang);   // "测试集准确率"
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace keras::utils {

enum class Language { en, zh };

/// The language of the user's locale: the first non-empty of $LC_ALL, $LC_MESSAGES, $LANG (the
/// POSIX order of precedence) decides. A locale of another language ("en_US.UTF-8", "de_DE")
/// means English; "zh_CN.UTF-8", "zh_TW", and a locale naming no language ("C", "C.UTF-8",
/// "POSIX", or none set) mean Chinese, the tutorial's language.
Language default_language();

/// "zh" / "en", case-insensitive; locale names such as "zh_CN.UTF-8" or "en-US" are accepted.
/// Throws keras::ValueError naming the accepted values otherwise.
Language parse_language(std::string_view name);

/// "zh" or "en".
std::string_view language_code(Language lang);

/// Every translated string. `{}` marks where format() puts an argument.
enum class Message {
  training_set,            ///< 训练集 / Training set
  test_set,                ///< 测试集 / Test set
  test_accuracy,           ///< 测试集准确率 / Test accuracy
  predicted_classes,       ///< 预测结果 / Predicted
  true_labels,             ///< 真实标签 / True labels
  saved_training_plot,     ///< 训练曲线已保存到 / Training curves saved to
  saved_predictions_plot,  ///< 预测结果图已保存到 / Prediction grid saved to
  loss,                    ///< 损失 / loss (a metric's name inside the labels below)
  accuracy,                ///< 准确率 / accuracy
  training_series,         ///< 训练{} / Training {}   (训练损失)
  validation_series,       ///< 验证{} / Validation {} (验证损失)
  curve_title,             ///< {}曲线 / {} curve      (损失曲线)
  prediction_title,        ///< 预测: {}, 真实: {} / Pred: {}, True: {}
};

/// The message in `lang`.
std::string_view tr(Message message, Language lang);

/// `pattern` with each `{}` replaced by the next argument, in order.
std::string format(std::string_view pattern, std::initializer_list<std::string_view> args);

}  // namespace keras::utils
