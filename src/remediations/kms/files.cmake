list(APPEND ASR_REMEDIATION_SOURCES kms/enable_key_rotation.cc)
list(APPEND ASR_REMEDIATION_TESTS kms/kms_test.cc)
