# Browser test of `kerascpp serve` (label browser): headless Chromium (Debian's), driven by
# playwright-core from npm, draws a 1, a 7 and a 0 on the page and checks the answers
# (tests/browser/draw_digits.mjs). npm installs playwright-core into the build tree
# (app_browser_npm_ci, from tests/browser/package-lock.json); the model is app_model's.
# Screenshots: <build>/tests/browser/screenshots (serve.png is the page after the 7).
find_program(KERASCPP_NODE node)
find_program(KERASCPP_NPM npm)
find_program(KERASCPP_CHROMIUM NAMES chromium chromium-browser)
set(browser_dir ${CMAKE_CURRENT_BINARY_DIR}/browser)

if(NOT KERASCPP_NODE OR NOT KERASCPP_NPM OR NOT KERASCPP_CHROMIUM)
  add_test(NAME app_browser_draw_digits
           COMMAND ${CMAKE_COMMAND} -E echo
                   "SKIPPED: the browser test needs node, npm and chromium (tools/deps/app.txt)")
  set_tests_properties(app_browser_draw_digits PROPERTIES LABELS browser SKIP_REGULAR_EXPRESSION "SKIPPED")
  return()
endif()

# The npm project runs from the build tree, so node_modules stays out of the sources.
foreach(file package.json package-lock.json draw_digits.mjs)
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/browser/${file} ${browser_dir}/${file} COPYONLY)
endforeach()
add_test(NAME app_browser_npm_ci
         COMMAND ${KERASCPP_NPM} ci --no-audit --no-fund --loglevel=error
         WORKING_DIRECTORY ${browser_dir})
set_tests_properties(app_browser_npm_ci PROPERTIES LABELS browser FIXTURES_SETUP app_browser TIMEOUT 300)

add_test(NAME app_browser_draw_digits
         COMMAND ${KERASCPP_NODE} ${browser_dir}/draw_digits.mjs
                 --kerascpp $<TARGET_FILE:kerascpp_cli> --model ${CMAKE_CURRENT_BINARY_DIR}/app/model.keras
                 --chromium ${KERASCPP_CHROMIUM} --out ${browser_dir}/screenshots
         WORKING_DIRECTORY ${browser_dir})
set_tests_properties(app_browser_draw_digits PROPERTIES
                     LABELS browser FIXTURES_REQUIRED "app_browser;app_model" SKIP_RETURN_CODE 77 TIMEOUT 300)
