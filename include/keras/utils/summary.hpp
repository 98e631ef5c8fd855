// model.summary(): the box table Keras 3 prints through `rich`, byte for byte.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace keras::utils {

struct SummaryRow {
  std::string name;          ///< layer name
  std::string class_name;    ///< Keras class
  std::string output_shape;  ///< "(None, 784)"
  int64_t params = 0;
  bool built = true;
};

struct SummaryFooter {
  int64_t trainable = 0, non_trainable = 0;
  int64_t trainable_bytes = 0, non_trainable_bytes = 0;
  bool has_optimizer = false;
  int64_t optimizer_params = 0, optimizer_bytes = 0;
};

/// Table width Keras uses: min(88, columns - 4), columns from $COLUMNS, else the terminal,
/// else 80 (so 76 off a terminal).
int summary_line_length();

/// Renders the summary. `styled` adds Keras's terminal colours (bold headers, coloured names).
std::string format_summary(const std::string& model_name, const std::vector<SummaryRow>& rows,
                           const SummaryFooter& footer, int line_length, bool styled);

/// Byte counts as Keras prints them: "397.54 KB", "0.00 B".
std::string readable_memory_size(double bytes);
/// 101770 -> "101,770".
std::string with_thousands(int64_t n);

}  // namespace keras::utils
