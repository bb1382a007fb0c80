#include "remediation/resource.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>

#include "common/arn.h"
#include "common/strings.h"

namespace asr::remediation {

Result<std::string> ArnResourceAfter(const Target& target, std::string_view service,
                                     std::string_view prefix, std::string_view example) {
  const auto reject = [&](std::string_view why) {
    return InvalidArgumentError("resource id " + Quote(target.resource_id) + " " +
                                std::string(why) + "; expected an ARN like " + Quote(example));
  };
  const std::optional<Arn> arn = ParseArn(target.resource_id);
  if (!arn) {
    return reject("is not an ARN");
  }
  if (arn->service != service) {
    return reject("is not a " + std::string(service) + " ARN");
  }
  if (!target.partition.empty() && arn->partition != target.partition) {
    return reject("is in partition " + Quote(arn->partition) + ", not the finding's " +
                  Quote(target.partition));
  }
  if (!arn->account.empty() && arn->account != target.account_id) {
    return reject("names account " + std::string(arn->account) + ", not the finding's " +
                  target.account_id);
  }
  if (!arn->resource.starts_with(prefix) || arn->resource.size() == prefix.size()) {
    return reject("does not name a resource " + Quote(std::string(prefix) + "..."));
  }
  return std::string(arn->resource.substr(prefix.size()));
}

Status CheckPattern(std::string_view what, const std::string& value, const std::string& pattern) {
  if (!std::regex_match(value, std::regex(pattern))) {
    return InvalidArgumentError(std::string(what) + " " + Quote(value) +
                                " does not match the accepted pattern " + pattern);
  }
  return Status::Ok();
}

Status CheckAccountTarget(const Target& target) {
  const std::string& a = target.account_id;
  if (a.size() != 12 || !std::all_of(a.begin(), a.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return InvalidArgumentError("account id " + Quote(a) + " is not 12 digits");
  }
  return Status::Ok();
}

}  // namespace asr::remediation
