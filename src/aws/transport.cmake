# HTTP transport (libcurl) and the credentials providers (see curl_transport.h, credentials.h).
list(APPEND ASR_AWS_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/curl_transport.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/credentials.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/credentials_profile.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/credentials_remote.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/internal/credentials_util.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/internal/ini.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/internal/iso8601.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/internal/subprocess.cc)
list(APPEND ASR_AWS_TESTS aws_transport_test)
# testing/fake_http_server.cc is test support: compiled into test executables only.
set(ASR_AWS_TEST_aws_transport_test_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/curl_transport_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/credentials_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/testing/fake_http_server.cc)
