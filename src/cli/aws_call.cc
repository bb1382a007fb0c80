#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"

namespace asr::cli {

ExitCode RunAwsCall(const AwsCallRequest& request, aws::Client& client,
                    const aws::CallOptions& options, std::ostream& out, std::ostream& err) {
  nlohmann::json params = nlohmann::json::object();
  if (!request.params_json.empty()) {
    params = nlohmann::json::parse(request.params_json, nullptr, /*allow_exceptions=*/false);
    if (params.is_discarded() || !params.is_object()) {
      err << "asr aws call: --params must be a JSON object, e.g. '{\"Bucket\": \"b\"}'\n";
      return ExitCode::kUsage;
    }
  }
  const Result<nlohmann::json> result =
      request.paginate ? client.PaginateAll(request.service, request.operation, params, options)
                       : client.Call(request.service, request.operation, params, options);
  if (!result.ok()) {
    err << "asr aws call: " << result.status().ToString() << "\n";
    return ExitCode::kInputRejected;
  }
  out << result->dump(2) << "\n";
  return ExitCode::kOk;
}

}  // namespace asr::cli
