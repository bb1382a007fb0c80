list(APPEND ASR_REMEDIATION_SOURCES rds/make_rds_snapshot_private.cc)
list(APPEND ASR_REMEDIATION_TESTS rds/rds_test.cc)
