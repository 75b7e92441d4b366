# format-check fails when any tracked C++ file differs from .clang-format; format-fix rewrites them.
find_program(CLANG_FORMAT NAMES clang-format-14 clang-format)
if(CLANG_FORMAT)
  add_custom_target(format-check
    COMMAND ${PROJECT_SOURCE_DIR}/tools/format.sh --check ${CLANG_FORMAT}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} VERBATIM)
  add_custom_target(format-fix
    COMMAND ${PROJECT_SOURCE_DIR}/tools/format.sh --fix ${CLANG_FORMAT}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} VERBATIM)
endif()
