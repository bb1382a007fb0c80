// File-based credential sources: shared config/credentials profiles (static keys, roles,
// credential_process) and web identity tokens.
#include <algorithm>
#include <charconv>
#include <utility>

#include "aws/credentials.h"
#include "aws/internal/credentials_util.h"
#include "aws/internal/ini.h"
#include "aws/internal/subprocess.h"
#include "common/strings.h"

namespace asr::aws {
namespace {

using internal::IniSection;
using internal::Profiles;

std::string DefaultSessionName(const Clock& clock) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
  return "asr-session-" + std::to_string(seconds);
}

// Reads and parses one shared file; a missing file is an empty one.
Result<internal::IniFile> LoadIni(const std::string& path) {
  Result<std::string> text = internal::ReadFileToString(path);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return internal::IniFile{};
    }
    return text.status();
  }
  return internal::ParseIni(*text, path);
}

// `credential_process`: runs the command and parses its JSON (Version 1).
class ProcessCredentialsProvider final : public CredentialsProvider {
 public:
  ProcessCredentialsProvider(std::string profile, std::string command,
                             internal::ShellCommandOptions options, const Clock& clock)
      : context_("profile " + std::move(profile) + ": credential_process"),
        command_(std::move(command)),
        options_(options),
        cache_(clock) {}

  Result<Credentials> Get() override {
    return cache_.Get([this]() -> Result<Credentials> {
      Result<std::string> output = internal::RunShellCommand(command_, options_);
      if (!output.ok()) {
        return output.status().Annotate(context_);
      }
      return internal::ParseCredentialsJson(
          *output, {.session_token = "SessionToken", .version = 1}, context_);
    });
  }

 private:
  const std::string context_;
  const std::string command_;
  const internal::ShellCommandOptions options_;
  internal::RefreshingCredentials cache_;
};

// Turns a profile into a provider. Borrows the context and profiles for the call only.
class ProfileResolver {
 public:
  ProfileResolver(const ProviderContext& context, const Profiles& profiles)
      : context_(context), profiles_(profiles) {}

  // `path` lists the profiles whose source_profile led here, for cycle detection.
  // NOLINTNEXTLINE(misc-no-recursion): source_profile chains; cycles are detected via `path`.
  Result<std::unique_ptr<CredentialsProvider>> Resolve(const std::string& name,
                                                       std::vector<std::string>& path) {
    const IniSection& profile = profiles_.at(name);
    const std::string where = "profile " + name;
    if (Get(profile, "role_arn").has_value()) {
      return ResolveRole(name, profile, path);
    }
    if (HasStaticKeys(profile)) {
      return StaticKeys(name, profile);
    }
    if (const auto command = Get(profile, "credential_process"); command.has_value()) {
      return std::unique_ptr<CredentialsProvider>(std::make_unique<ProcessCredentialsProvider>(
          name, *command,
          internal::ShellCommandOptions{.timeout = context_.credential_process_timeout,
                                        .max_output_bytes = context_.credential_process_max_output},
          *context_.clock));
    }
    return NotFoundError(where + " has no aws_access_key_id, role_arn or credential_process");
  }

 private:
  static std::optional<std::string> Get(const IniSection& profile, const std::string& key) {
    const auto it = profile.find(key);
    if (it == profile.end() || it->second.empty()) {
      return std::nullopt;
    }
    return it->second;
  }

  static bool HasStaticKeys(const IniSection& profile) {
    return Get(profile, "aws_access_key_id").has_value() ||
           Get(profile, "aws_secret_access_key").has_value();
  }

  static Result<std::unique_ptr<CredentialsProvider>> StaticKeys(const std::string& name,
                                                                 const IniSection& profile) {
    const auto key = Get(profile, "aws_access_key_id");
    const auto secret = Get(profile, "aws_secret_access_key");
    if (!key.has_value() || !secret.has_value()) {
      return InvalidArgumentError("profile " + name +
                                  ": aws_access_key_id and aws_secret_access_key must be set "
                                  "together");
    }
    Credentials creds{
        .access_key_id = *key,
        .secret_access_key = *secret,
        .session_token = Get(profile, "aws_session_token")
                             .value_or(Get(profile, "aws_security_token").value_or("")),
        .source = "profile " + name};
    return std::unique_ptr<CredentialsProvider>(
        std::make_unique<StaticCredentialsProvider>(std::move(creds)));
  }

  // NOLINTNEXTLINE(misc-no-recursion): see Resolve.
  Result<std::unique_ptr<CredentialsProvider>> ResolveRole(const std::string& name,
                                                           const IniSection& profile,
                                                           std::vector<std::string>& path) {
    const std::string where = "profile " + name;
    const std::string role_arn = *Get(profile, "role_arn");
    const auto source_profile = Get(profile, "source_profile");
    const auto credential_source = Get(profile, "credential_source");
    const auto token_file = Get(profile, "web_identity_token_file");
    const std::string region =
        Get(profile, "region").value_or(context_.env("AWS_REGION").value_or(""));
    if (source_profile.has_value() && credential_source.has_value()) {
      return InvalidArgumentError(where +
                                  ": source_profile and credential_source are mutually exclusive");
    }
    if (context_.sts == nullptr) {
      return FailedPreconditionError(where + ": role_arn needs STS, which is not configured");
    }

    if (!source_profile.has_value() && !credential_source.has_value() && token_file.has_value()) {
      return std::unique_ptr<CredentialsProvider>(std::make_unique<WebIdentityCredentialsProvider>(
          context_,
          WebIdentityConfig{.token_file = internal::ExpandHome(*token_file, context_.env),
                            .role_arn = role_arn,
                            .session_name = Get(profile, "role_session_name").value_or(""),
                            .region = region}));
    }

    std::unique_ptr<CredentialsProvider> source;
    if (source_profile.has_value()) {
      if (*source_profile == name) {
        if (!HasStaticKeys(profile)) {
          return InvalidArgumentError(where +
                                      ": source_profile names the profile itself, which has no "
                                      "aws_access_key_id");
        }
        ASR_ASSIGN_OR_RETURN(source, StaticKeys(name, profile));
      } else if (std::find(path.begin(), path.end(), *source_profile) != path.end()) {
        std::string cycle;
        for (const std::string& step : path) {
          cycle += step + " -> ";
        }
        return InvalidArgumentError(where + ": source_profile cycle: " + cycle + name + " -> " +
                                    *source_profile);
      } else if (!profiles_.contains(*source_profile)) {
        return InvalidArgumentError(where + ": source_profile " + Quote(*source_profile) +
                                    " does not exist");
      } else {
        path.push_back(name);
        Result<std::unique_ptr<CredentialsProvider>> resolved = Resolve(*source_profile, path);
        path.pop_back();
        if (!resolved.ok()) {
          if (resolved.status().code() == StatusCode::kNotFound) {
            return InvalidArgumentError(where + ": source_profile " + Quote(*source_profile) +
                                        " has no credentials");
          }
          return resolved.status().Annotate(where);
        }
        source = std::move(resolved).value();
      }
    } else if (credential_source.has_value()) {
      if (*credential_source == "Environment") {
        source = std::make_unique<EnvironmentCredentialsProvider>(context_.env);
      } else if (*credential_source == "Ec2InstanceMetadata") {
        source = std::make_unique<InstanceMetadataCredentialsProvider>(context_);
      } else if (*credential_source == "EcsContainer") {
        source = std::make_unique<ContainerCredentialsProvider>(context_);
      } else {
        return InvalidArgumentError(where + ": credential_source " + Quote(*credential_source) +
                                    " is not one of Environment, Ec2InstanceMetadata, "
                                    "EcsContainer");
      }
    } else {
      return InvalidArgumentError(where +
                                  ": role_arn needs source_profile, credential_source or "
                                  "web_identity_token_file");
    }

    AssumeRoleRequest request{
        .role_arn = role_arn,
        .session_name =
            Get(profile, "role_session_name").value_or(DefaultSessionName(*context_.clock)),
        .external_id = Get(profile, "external_id").value_or(""),
        .region = region};
    if (const auto duration = Get(profile, "duration_seconds"); duration.has_value()) {
      int64_t seconds = 0;
      const auto [ptr, ec] =
          std::from_chars(duration->data(), duration->data() + duration->size(), seconds);
      if (ec != std::errc() || ptr != duration->data() + duration->size() || seconds < 900 ||
          seconds > 43200) {
        return InvalidArgumentError(where + ": duration_seconds " + Quote(*duration) +
                                    " is not a whole number of seconds from 900 to 43200");
      }
      request.duration = std::chrono::seconds(seconds);
    }
    return std::unique_ptr<CredentialsProvider>(std::make_unique<AssumeRoleCredentialsProvider>(
        std::move(source), *context_.sts, std::move(request), *context_.clock));
  }

  const ProviderContext& context_;
  const Profiles& profiles_;
};

}  // namespace

ProfileCredentialsProvider::ProfileCredentialsProvider(ProviderContext context)
    : context_(std::move(context)) {}

ProfileCredentialsProvider::ProfileCredentialsProvider(ProviderContext context, std::string profile)
    : context_(std::move(context)), explicit_profile_(std::move(profile)) {}

ProfileCredentialsProvider::~ProfileCredentialsProvider() = default;

Result<Credentials> ProfileCredentialsProvider::Get() {
  CredentialsProvider* provider = nullptr;
  std::string name = explicit_profile_;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    std::string selected_by;
    if (!name.empty()) {
      selected_by = "given";
    } else if (auto env_profile = context_.env("AWS_PROFILE");
               env_profile.has_value() && !env_profile->empty()) {
      name = *env_profile;
      selected_by = "AWS_PROFILE";
    } else if (auto legacy = context_.env("AWS_DEFAULT_PROFILE");
               legacy.has_value() && !legacy->empty()) {
      name = *legacy;
      selected_by = "AWS_DEFAULT_PROFILE";
    } else {
      name = "default";
    }
    if (resolved_ == nullptr) {
      const SharedConfigFiles files =
          context_.files.value_or(SharedConfigFilesFromEnv(context_.env));
      ASR_ASSIGN_OR_RETURN(const internal::IniFile config, LoadIni(files.config));
      ASR_ASSIGN_OR_RETURN(const internal::IniFile credentials, LoadIni(files.credentials));
      const Profiles profiles = internal::MergeProfiles(config, credentials);
      if (!profiles.contains(name)) {
        const std::string message =
            "profile " + Quote(name) + " is not in " + files.config + " or " + files.credentials;
        if (selected_by.empty()) {
          return NotFoundError(message);
        }
        return FailedPreconditionError(message + " (selected by " + selected_by + ")");
      }
      if (context_.clock == nullptr) {
        return FailedPreconditionError("profile " + name + ": no clock configured");
      }
      std::vector<std::string> path;
      ASR_ASSIGN_OR_RETURN(resolved_, ProfileResolver(context_, profiles).Resolve(name, path));
    }
    provider = resolved_.get();
  }
  Result<Credentials> creds = provider->Get();
  if (!creds.ok()) {
    return creds.status().Annotate("profile " + name);
  }
  return creds;
}

WebIdentityCredentialsProvider::WebIdentityCredentialsProvider(const ProviderContext& context)
    : context_(context),
      cache_(std::make_unique<internal::RefreshingCredentials>(*context.clock)) {}

WebIdentityCredentialsProvider::WebIdentityCredentialsProvider(const ProviderContext& context,
                                                               WebIdentityConfig config)
    : context_(context),
      config_(std::move(config)),
      cache_(std::make_unique<internal::RefreshingCredentials>(*context.clock)) {}

WebIdentityCredentialsProvider::~WebIdentityCredentialsProvider() = default;

Result<Credentials> WebIdentityCredentialsProvider::Get() {
  WebIdentityConfig config;
  if (config_.has_value()) {
    config = *config_;
  } else {
    const auto token_file = context_.env("AWS_WEB_IDENTITY_TOKEN_FILE");
    const auto role_arn = context_.env("AWS_ROLE_ARN");
    const bool has_file = token_file.has_value() && !token_file->empty();
    const bool has_role = role_arn.has_value() && !role_arn->empty();
    if (!has_file && !has_role) {
      return NotFoundError("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set");
    }
    if (!has_file || !has_role) {
      return InvalidArgumentError(
          std::string("web identity: ") +
          (has_file ? "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"
                    : "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not") +
          "; set both or neither");
    }
    config = WebIdentityConfig{.token_file = *token_file,
                               .role_arn = *role_arn,
                               .session_name = context_.env("AWS_ROLE_SESSION_NAME").value_or(""),
                               .region = context_.env("AWS_REGION").value_or("")};
  }
  if (context_.sts == nullptr) {
    return FailedPreconditionError("web identity: STS is not configured");
  }
  return cache_->Get([this, &config] { return Fetch(config); });
}

Result<Credentials> WebIdentityCredentialsProvider::Fetch(const WebIdentityConfig& config) const {
  const std::string context = "web identity " + config.role_arn;
  Result<std::string> token = internal::ReadFileToString(config.token_file);
  if (!token.ok()) {
    // The file was configured, so a missing one is a real failure, not "no credentials here".
    return FailedPreconditionError(token.status().message()).Annotate(context + ": token file");
  }
  WebIdentityRequest request{.role_arn = config.role_arn,
                             .session_name = config.session_name.empty()
                                                 ? DefaultSessionName(*context_.clock)
                                                 : config.session_name,
                             .token = std::string(TrimAscii(*token)),
                             .region = config.region};
  if (request.token.empty()) {
    return FailedPreconditionError(context + ": token file " + config.token_file + " is empty");
  }
  Result<Credentials> creds = context_.sts->AssumeRoleWithWebIdentity(request);
  if (!creds.ok()) {
    return creds.status().Annotate(context);
  }
  if (creds->source.empty()) {
    creds->source = context;
  }
  return creds;
}

}  // namespace asr::aws
