list(APPEND ASR_REMEDIATION_SOURCES
  iam/common.cc
  iam/revoke_unrotated_keys.cc
  iam/revoke_unused_iam_user_credentials.cc
  iam/set_iam_password_policy.cc)
list(APPEND ASR_REMEDIATION_TESTS iam/iam_test.cc)
