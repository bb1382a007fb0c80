list(APPEND ASR_REMEDIATION_SOURCES
  ec2/common.cc
  ec2/disable_public_access_for_security_group.cc
  ec2/disable_public_ip_auto_assign.cc
  ec2/enable_ebs_encryption_by_default.cc
  ec2/enable_vpc_flow_logs.cc
  ec2/make_ebs_snapshots_private.cc
  ec2/remove_vpc_default_security_group_rules.cc)
list(APPEND ASR_REMEDIATION_TESTS ec2/ec2_test.cc)
