list(APPEND ASR_REMEDIATION_SOURCES config/enable_aws_config.cc)
list(APPEND ASR_REMEDIATION_TESTS config/config_test.cc)
