# Response parsers of the five protocols (protocol.h, internal/protocols.h): parse_xml.cc (query,
# ec2, rest-xml), parse_json.cc (json, rest-json), parse_common.cc (timestamps, headers, boto3's
# after-call customisations).
list(APPEND ASR_AWS_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/parse_common.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/parse_json.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/parse_xml.cc)
list(APPEND ASR_AWS_TESTS aws_parse_test)
set(ASR_AWS_TEST_aws_parse_test_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/parse_test.cc)
# parse_test runs testdata/botocore_parse.py (botocore's parsers, the oracle) with the configured
# interpreter, which must have botocore (DESIGN.md §5).
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/parse_test.cc PROPERTIES
  COMPILE_DEFINITIONS "ASR_PYTHON3_EXECUTABLE=\"${Python3_EXECUTABLE}\"")
