# Request serializers for the five protocols and parameter validation (internal/protocols.h).
# CRC32 request checksums (s3) come from zlib; CMakeLists.txt links ${ASR_AWS_EXTRA_LIBS}.
find_package(ZLIB REQUIRED)
list(APPEND ASR_AWS_EXTRA_LIBS ZLIB::ZLIB)
list(APPEND ASR_AWS_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/serialize_common.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/serialize_validate.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/serialize_query.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/serialize_json.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/serialize_rest.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/serialize_xml.cc)
list(APPEND ASR_AWS_TESTS aws_serialize_test)
set(ASR_AWS_TEST_aws_serialize_test_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/serialize_test.cc)
# The test runs tools/botocore_requests.py (the oracle) with the configured interpreter, which
# must have botocore (DESIGN.md §5: on every machine of this project).
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/serialize_test.cc PROPERTIES
  COMPILE_DEFINITIONS "ASR_PYTHON3_EXECUTABLE=\"${Python3_EXECUTABLE}\"")
