#include "remediation/sessions.h"

namespace asr::remediation {

namespace {

// Forwards to a borrowed provider, so that every link of a chain can be owned uniformly.
class BorrowedProvider final : public aws::CredentialsProvider {
 public:
  explicit BorrowedProvider(aws::CredentialsProvider& target) : target_(target) {}
  Result<aws::Credentials> Get() override { return target_.Get(); }

 private:
  aws::CredentialsProvider& target_;
};

}  // namespace

std::unique_ptr<aws::CredentialsProvider> StsMemberSessions::Chain(
    const std::vector<std::string>& role_arns, const std::string& external_id,
    const std::string& session_name) {
  std::unique_ptr<aws::CredentialsProvider> link = std::make_unique<BorrowedProvider>(admin_);
  for (const std::string& arn : role_arns) {
    aws::AssumeRoleRequest request;
    request.role_arn = arn;
    request.session_name = session_name;
    request.external_id = external_id;
    request.region = sts_region_;
    link = std::make_unique<aws::AssumeRoleCredentialsProvider>(std::move(link), sts_, request,
                                                                clock_);
  }
  return link;
}

std::string SessionNameFor(const std::string& run_or_job_id) {
  std::string name = "asr-" + run_or_job_id;
  if (name.size() > 64) {
    name.resize(64);
  }
  return name;
}

}  // namespace asr::remediation
