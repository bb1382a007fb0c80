#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "remediation/remediation.h"

namespace asr::remediation {

// All remediations compiled into the binary. Filled before main() by ASR_REGISTER_REMEDIATION
// (the project's one allowed non-trivial global, STYLE.md) and read-only afterwards, so reads are
// thread-safe.
class Registry final {
 public:
  static Registry& Global();

  // Adds a remediation. A duplicate id is kept out and remembered in problems() (registration
  // runs before main and cannot fail loudly; the conformance test checks problems() is empty).
  void Add(std::unique_ptr<Remediation> remediation);

  // nullptr when unknown. Ids compare case-sensitively, as role names do.
  [[nodiscard]] const Remediation* Find(std::string_view id) const;
  // Sorted by id.
  [[nodiscard]] std::vector<const Remediation*> All() const;
  [[nodiscard]] const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::unique_ptr<Remediation>> items_;
  std::vector<std::string> problems_;
};

template <typename T>
bool RegisterRemediation() {
  Registry::Global().Add(std::make_unique<T>());
  return true;
}

}  // namespace asr::remediation

// The last line of each remediation's .cc file, after its namespaces are closed:
//   ASR_REGISTER_REMEDIATION(RemoveLambdaPublicAccess);
// where the class sits in an anonymous namespace inside asr::remediation.
#define ASR_REGISTER_REMEDIATION(Class)                            \
  namespace asr::remediation {                                     \
  namespace {                                                      \
  [[maybe_unused]] const bool asr_remediation_registered_##Class = \
      ::asr::remediation::RegisterRemediation<Class>();            \
  }                                                                \
  }                                                                \
  static_assert(true, "ASR_REGISTER_REMEDIATION must be followed by a semicolon")
