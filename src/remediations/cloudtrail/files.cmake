list(APPEND ASR_REMEDIATION_SOURCES
  cloudtrail/common.cc
  cloudtrail/create_cloud_trail_multi_region_trail.cc
  cloudtrail/enable_cloud_trail_encryption.cc
  cloudtrail/enable_cloud_trail_log_file_validation.cc)
list(APPEND ASR_REMEDIATION_TESTS cloudtrail/cloudtrail_test.cc)
