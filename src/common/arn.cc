#include "common/arn.h"

#include <array>

namespace asr {

std::optional<Arn> ParseArn(std::string_view text) {
  if (!text.starts_with("arn:")) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(4);
  std::array<std::string_view, 4> parts;
  for (std::string_view& part : parts) {
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
      return std::nullopt;
    }
    part = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  return Arn{.partition = parts[0],
             .service = parts[1],
             .region = parts[2],
             .account = parts[3],
             .resource = rest};
}

std::string MakeArn(std::string_view partition, std::string_view service, std::string_view region,
                    std::string_view account, std::string_view resource) {
  std::string arn = "arn:";
  for (const std::string_view part : {partition, service, region, account}) {
    arn.append(part);
    arn.push_back(':');
  }
  arn.append(resource);
  return arn;
}

}  // namespace asr
