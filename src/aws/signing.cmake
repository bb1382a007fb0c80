# SigV4 signing, crypto and HTTP value types (owned by the signing work; see sigv4.h).
list(APPEND ASR_AWS_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/http.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/crypto.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/sigv4.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/internal/sigv4_canonical.cc)
list(APPEND ASR_AWS_TESTS aws_signing_test)
set(ASR_AWS_TEST_aws_signing_test_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/http_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/crypto_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/sigv4_test.cc)
