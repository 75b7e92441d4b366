# Runs `npm ci` in UI_DIR only when node_modules is missing or older than package-lock.json
# (tools/install-deps.sh normally did it already). Invoked by ui/CMakeLists.txt with
#   cmake -DUI_DIR=... -DNPM=... -P npm_ci_if_missing.cmake
set(_marker "${UI_DIR}/node_modules/.package-lock.json")
set(_need FALSE)
if(NOT EXISTS "${_marker}")
  set(_need TRUE)
elseif("${UI_DIR}/package-lock.json" IS_NEWER_THAN "${_marker}")
  set(_need TRUE)
endif()
if(_need)
  message(STATUS "ui: running npm ci in ${UI_DIR}")
  execute_process(COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error
    WORKING_DIRECTORY "${UI_DIR}" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "ui: npm ci failed (${_rc}); run tools/install-deps.sh or configure with -DARIADNE_BUILD_UI=OFF")
  endif()
endif()
