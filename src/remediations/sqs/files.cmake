list(APPEND ASR_REMEDIATION_SOURCES sqs/enable_encryption_for_sqs_queue.cc)
list(APPEND ASR_REMEDIATION_TESTS sqs/sqs_test.cc)
