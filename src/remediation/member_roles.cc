#include "remediation/member_roles.h"

#include <algorithm>
#include <cctype>

namespace asr::remediation {

using nlohmann::json;

namespace {

json Sub(const std::string& text) { return json{{"Fn::Sub", text}}; }

// "RemoveLambdaPublicAccess" → "RoleRemoveLambdaPublicAccess" (logical ids are alphanumeric).
std::string LogicalId(const std::string& id) {
  std::string out = "Role";
  for (char c : id) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      out.push_back(c);
    }
  }
  return out;
}

json PolicyDocument(json statements) {
  return {{"Version", "2012-10-17"}, {"Statement", std::move(statements)}};
}

}  // namespace

json MemberRolesTemplate(const Registry& registry, const MemberRolesOptions& options) {
  json parameters = {
      {"AdminAccountId",
       {{"Type", "String"},
        {"Description", "The account where asr runs (its engine role is trusted)"},
        {"AllowedPattern", "^\\d{12}$"}}},
      {"Namespace",
       {{"Type", "String"},
        {"Description",
         "Suffix of the remediation role names SO0111-<Remediation>-<Namespace> (3-9 of a-z0-9-)"},
        {"AllowedPattern", "^[a-z0-9-]{3,9}$"}}},
  };
  if (!options.admin_account.empty()) {
    parameters["AdminAccountId"]["Default"] = options.admin_account;
  }
  if (!options.remediation_namespace.empty()) {
    parameters["Namespace"]["Default"] = options.remediation_namespace;
  }

  json resources = json::object();
  resources["OrchestratorMemberRole"] = {
      {"Type", "AWS::IAM::Role"},
      {"Properties",
       {{"RoleName", options.member_role_name},
        {"Description", "asr: assumed by the engine in the admin account"},
        {"AssumeRolePolicyDocument",
         PolicyDocument(
             json::array({{{"Effect", "Allow"},
                           {"Principal",
                            {{"AWS", Sub("arn:${AWS::Partition}:iam::${AdminAccountId}:role/" +
                                         options.admin_role_name)}}},
                           {"Action", "sts:AssumeRole"}}}))},
        {"Policies",
         json::array({{{"PolicyName", "asr-orchestrator-member"},
                       {"PolicyDocument",
                        PolicyDocument(json::array({
                            {{"Sid", "AssumeRemediationRoles"},
                             {"Effect", "Allow"},
                             {"Action", "sts:AssumeRole"},
                             {"Resource",
                              Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/SO0111-*")}},
                            {{"Sid", "ReadControlParameters"},
                             {"Effect", "Allow"},
                             {"Action", "config:DescribeConfigRules"},
                             {"Resource", "*"}},
                            {{"Sid", "RunControlRunbooks"},
                             {"Effect", "Allow"},
                             {"Action",
                              json::array({"ssm:StartAutomationExecution",
                                           "ssm:DescribeAutomationExecutions",
                                           "ssm:GetAutomationExecution", "ssm:DescribeDocument"})},
                             {"Resource", "*"}},
                            {{"Sid", "PassRemediationRolesToAutomation"},
                             {"Effect", "Allow"},
                             {"Action", "iam:PassRole"},
                             {"Resource",
                              Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/SO0111-*")}},
                        }))}}})}}}};

  for (const Remediation* r : registry.All()) {
    const RemediationSpec& spec = r->spec();
    std::vector<std::string> actions = spec.permissions;
    std::sort(actions.begin(), actions.end());
    actions.erase(std::unique(actions.begin(), actions.end()), actions.end());
    json statements = json::array(
        {{{"Sid", "Remediate"}, {"Effect", "Allow"}, {"Action", actions}, {"Resource", "*"}},
         {{"Sid", "SolutionParameters"},
          {"Effect", "Allow"},
          {"Action", json::array({"ssm:GetParameter", "ssm:GetParameters", "ssm:PutParameter"})},
          {"Resource",
           Sub("arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:parameter/Solutions/SO0111/*")}}});
    const bool touches_iam = std::any_of(actions.begin(), actions.end(), [](const std::string& a) {
      return a.starts_with("iam:") && a != "iam:PassRole";
    });
    if (touches_iam) {
      statements.push_back(
          {{"Sid", "NoChangesToSolutionRoles"},
           {"Effect", "Deny"},
           {"Action", json::array({"iam:AttachRolePolicy", "iam:CreatePolicyVersion",
                                   "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
                                   "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"})},
           {"Resource", Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/SO0111-*")}});
    }
    resources[LogicalId(spec.id)] = {
        {"Type", "AWS::IAM::Role"},
        {"Properties",
         {{"RoleName", Sub("SO0111-" + spec.id + "-${Namespace}")},
          {"Description", "asr remediation " + spec.id + ": " + spec.title.substr(0, 900)},
          {"AssumeRolePolicyDocument",
           PolicyDocument(json::array(
               {{{"Effect", "Allow"},
                 {"Principal", {{"AWS", json{{"Fn::GetAtt", {"OrchestratorMemberRole", "Arn"}}}}}},
                 {"Action", "sts:AssumeRole"}},
                {{"Effect", "Allow"},
                 {"Principal", {{"Service", "ssm.amazonaws.com"}}},
                 {"Action", "sts:AssumeRole"}}}))},
          {"Policies",
           json::array({{{"PolicyName", "asr-" + spec.id},
                         {"PolicyDocument", PolicyDocument(std::move(statements))}}})}}}};
  }
  return {{"AWSTemplateFormatVersion", "2010-09-09"},
          {"Description", "asr member-account roles: " + options.member_role_name +
                              " and one least-privilege role per remediation (" +
                              std::to_string(registry.All().size()) + "), generated by " +
                              options.generator + " from its remediation registry"},
          {"Parameters", parameters},
          {"Resources", resources},
          {"Outputs",
           {{"OrchestratorMemberRoleArn",
             {{"Value", json{{"Fn::GetAtt", {"OrchestratorMemberRole", "Arn"}}}}}}}}};
}

}  // namespace asr::remediation
