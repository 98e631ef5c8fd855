// Library version.
#pragma once

#define KERASCPP_VERSION_MAJOR 0
#define KERASCPP_VERSION_MINOR 1
#define KERASCPP_VERSION_PATCH 0

namespace keras {
inline constexpr const char* version = "0.1.0";
}
