list(APPEND ASR_REMEDIATION_SOURCES ssm/block_ssm_document_public_access.cc)
list(APPEND ASR_REMEDIATION_TESTS ssm/ssm_test.cc)
