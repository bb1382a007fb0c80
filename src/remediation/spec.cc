#include "remediation/spec.h"

namespace asr::remediation {

std::string_view RiskName(Risk risk) {
  switch (risk) {
    case Risk::kSafe:
      return "safe";
    case Risk::kDisruptive:
      return "disruptive";
    case Risk::kDestructive:
      return "destructive";
  }
  return "unknown";
}

std::string_view ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kString:
      return "string";
    case ParamType::kInt:
      return "int";
    case ParamType::kBool:
      return "bool";
    case ParamType::kStringList:
      return "string-list";
  }
  return "unknown";
}

}  // namespace asr::remediation
