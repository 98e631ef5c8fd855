# cmake -DINPUT=file -DOUTPUT=header -DNAME=identifier -P embed_text.cmake
# Writes the text of INPUT into OUTPUT as `inline constexpr std::string_view NAME`, a raw string
# literal, so a file edited as HTML is compiled into the program.
file(READ "${INPUT}" text)
set(delimiter "KERASCPP_EMBED")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${delimiter}\"")
endif()
file(WRITE "${OUTPUT}.tmp"
     "// Generated from ${INPUT} by embed_text.cmake; edit that file instead.\n"
     "#pragma once\n#include <string_view>\n"
     "inline constexpr std::string_view ${NAME} = R\"${delimiter}(${text})${delimiter}\";\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
