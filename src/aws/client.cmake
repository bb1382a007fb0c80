# Endpoints, retries, the protocol dispatcher, STS adapter and the client (the lead's part).
list(APPEND ASR_AWS_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/endpoints.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/retry.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/protocol.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/client.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/sts.cc)
list(APPEND ASR_AWS_TESTS aws_client_test)
set(ASR_AWS_TEST_aws_client_test_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/endpoints_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/retry_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/client_test.cc)
