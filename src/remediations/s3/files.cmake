list(APPEND ASR_REMEDIATION_SOURCES
  s3/common.cc
  s3/configure_s3_bucket_public_access_block.cc
  s3/configure_s3_public_access_block.cc
  s3/enable_default_encryption_s3.cc
  s3/set_ssl_bucket_policy.cc)
list(APPEND ASR_REMEDIATION_TESTS s3/s3_test.cc)
