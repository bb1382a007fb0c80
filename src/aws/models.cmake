# Service models (model.h): models/<service>.json, generated from tools/models.txt by
# tools/extract_models.py and committed, are embedded into the library at build time by
# tools/embed_models.py. The list of models comes from tools/models.txt at configure time (no GLOB);
# editing that file re-runs the configure step.
set(ASR_MODELS_LIST ${PROJECT_SOURCE_DIR}/tools/models.txt)
set(ASR_MODELS_EMBEDDER ${PROJECT_SOURCE_DIR}/tools/embed_models.py)
set(ASR_MODELS_GENERATED ${CMAKE_CURRENT_BINARY_DIR}/model_data.cc)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ASR_MODELS_LIST})

file(STRINGS ${ASR_MODELS_LIST} _asr_model_lines REGEX "^[a-z0-9][a-z0-9-]*[ \t]*:")
set(ASR_MODEL_SERVICES)
set(ASR_MODEL_FILES)
foreach(_line IN LISTS _asr_model_lines)
  string(REGEX REPLACE "^([a-z0-9-]+).*$" "\\1" _service "${_line}")
  list(APPEND ASR_MODEL_SERVICES ${_service})
  list(APPEND ASR_MODEL_FILES ${PROJECT_SOURCE_DIR}/models/${_service}.json)
endforeach()
if(NOT ASR_MODEL_SERVICES)
  message(FATAL_ERROR "${ASR_MODELS_LIST} lists no services")
endif()

add_custom_command(
  OUTPUT ${ASR_MODELS_GENERATED}
  COMMAND ${Python3_EXECUTABLE} ${ASR_MODELS_EMBEDDER}
          --models-dir ${PROJECT_SOURCE_DIR}/models
          --output ${ASR_MODELS_GENERATED}
          ${ASR_MODEL_SERVICES}
  DEPENDS ${ASR_MODELS_EMBEDDER} ${ASR_MODEL_FILES}
  COMMENT "Embedding models/*.json"
  VERBATIM)

list(APPEND ASR_AWS_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/model.cc
  ${ASR_MODELS_GENERATED})

list(APPEND ASR_AWS_TESTS aws_model_test)
set(ASR_AWS_TEST_aws_model_test_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/model_test.cc)
# model_test runs `extract_models.py --check` with the configured interpreter, which must have
# botocore (DESIGN.md §5: on every machine of this project).
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/model_test.cc PROPERTIES
  COMPILE_DEFINITIONS "ASR_PYTHON3_EXECUTABLE=\"${Python3_EXECUTABLE}\"")
