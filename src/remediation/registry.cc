#include "remediation/registry.h"

#include <algorithm>

namespace asr::remediation {

Registry& Registry::Global() {
  static Registry registry;
  return registry;
}

void Registry::Add(std::unique_ptr<Remediation> remediation) {
  const std::string& id = remediation->spec().id;
  if (Find(id) != nullptr) {
    problems_.push_back("remediation id " + id + " registered twice");
    return;
  }
  items_.push_back(std::move(remediation));
}

const Remediation* Registry::Find(std::string_view id) const {
  for (const auto& r : items_) {
    if (r->spec().id == id) {
      return r.get();
    }
  }
  return nullptr;
}

std::vector<const Remediation*> Registry::All() const {
  std::vector<const Remediation*> out;
  out.reserve(items_.size());
  for (const auto& r : items_) {
    out.push_back(r.get());
  }
  std::sort(out.begin(), out.end(),
            [](const Remediation* a, const Remediation* b) { return a->spec().id < b->spec().id; });
  return out;
}

}  // namespace asr::remediation
