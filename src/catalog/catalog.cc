#include "catalog/catalog.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "catalog/internal/catalog_data.h"
#include "common/strings.h"

namespace asr::catalog {
namespace {

Catalog BuildBuiltin() {
  const std::span<const Playbook> playbooks = internal::PlaybookRows();
  std::vector<Catalog::PlaybookEntry> entries;
  entries.reserve(playbooks.size());
  for (const Playbook& playbook : playbooks) {
    entries.push_back({.playbook = playbook, .controls = {}});
  }
  for (const internal::ControlRow& row : internal::ControlRows()) {
    entries[row.playbook].controls.push_back({
        .playbook = nullptr,
        .control_id = row.control_id,
        .executes = row.executes,
        .security_control_id = row.security_control_id,
        .security_control_candidates = {row.security_control_candidates.begin(),
                                        row.security_control_candidates.end()},
        .remediation_id = row.remediation_id,
        .runbooks = {row.runbooks.begin(), row.runbooks.end()},
        .resource_type = row.resource_type,
        .version_added = row.version_added,
    });
  }
  return Catalog(std::move(entries));
}

}  // namespace

const Catalog& Catalog::Builtin() {
  static const Catalog kCatalog = BuildBuiltin();
  return kCatalog;
}

Catalog::Catalog(std::vector<PlaybookEntry> entries) {
  playbooks_.reserve(entries.size());
  offsets_.reserve(entries.size() + 1);
  offsets_.push_back(0);
  for (PlaybookEntry& entry : entries) {
    playbooks_.push_back(entry.playbook);
    for (Control& control : entry.controls) {
      controls_.push_back(std::move(control));
    }
    offsets_.push_back(controls_.size());
  }
  // Pointers are fixed only now that playbooks_ no longer reallocates; moving the Catalog moves
  // the vectors' buffers, so they stay valid.
  by_id_.reserve(controls_.size());
  for (std::size_t p = 0; p < playbooks_.size(); ++p) {
    for (std::size_t i = offsets_[p]; i < offsets_[p + 1]; ++i) {
      controls_[i].playbook = &playbooks_[p];
      by_id_.push_back(i);
    }
    // Stable, so among duplicate ids the first in data order is found.
    std::stable_sort(by_id_.begin() + static_cast<std::ptrdiff_t>(offsets_[p]), by_id_.end(),
                     [this](std::size_t a, std::size_t b) {
                       return CaseInsensitiveLess()(controls_[a].control_id,
                                                    controls_[b].control_id);
                     });
  }
}

std::span<const Playbook> Catalog::Playbooks() const { return playbooks_; }

const Playbook* Catalog::FindPlaybook(std::string_view id) const {
  for (const Playbook& playbook : playbooks_) {
    if (EqualsIgnoreCase(playbook.id, id)) {
      return &playbook;
    }
  }
  return nullptr;
}

const Playbook* Catalog::FindPlaybookByStandard(std::string_view long_name,
                                                std::string_view version) const {
  for (const Playbook& playbook : playbooks_) {
    if (EqualsIgnoreCase(playbook.standard_long_name, long_name) && playbook.version == version) {
      return &playbook;
    }
  }
  return nullptr;
}

std::size_t Catalog::PlaybookIndex(const Playbook& playbook) const {
  // std::less gives a total order even for pointers into different objects.
  const std::less<> less;
  const Playbook* begin = playbooks_.data();
  const Playbook* end = begin + playbooks_.size();
  if (!less(&playbook, begin) && less(&playbook, end)) {
    return static_cast<std::size_t>(&playbook - begin);
  }
  const Playbook* found = FindPlaybook(playbook.id);
  return found == nullptr ? playbooks_.size() : static_cast<std::size_t>(found - begin);
}

const Control* Catalog::FindControl(const Playbook& playbook, std::string_view control_id) const {
  const std::size_t p = PlaybookIndex(playbook);
  if (p == playbooks_.size()) {
    return nullptr;
  }
  const auto first = by_id_.begin() + static_cast<std::ptrdiff_t>(offsets_[p]);
  const auto last = by_id_.begin() + static_cast<std::ptrdiff_t>(offsets_[p + 1]);
  const CaseInsensitiveLess less;
  const auto it = std::lower_bound(
      first, last, control_id,
      [&](std::size_t i, std::string_view id) { return less(controls_[i].control_id, id); });
  if (it == last || !EqualsIgnoreCase(controls_[*it].control_id, control_id)) {
    return nullptr;
  }
  return &controls_[*it];
}

std::span<const Control> Catalog::Controls(const Playbook& playbook) const {
  const std::size_t p = PlaybookIndex(playbook);
  if (p == playbooks_.size()) {
    return {};
  }
  return std::span<const Control>(controls_).subspan(offsets_[p], offsets_[p + 1] - offsets_[p]);
}

std::span<const Control> Catalog::AllControls() const { return controls_; }

std::string Catalog::ControlRunbookName(const Control& control) {
  std::string name = "ASR-";
  if (control.playbook != nullptr) {
    name.append(control.playbook->short_name);
    name.push_back('_');
    name.append(control.playbook->version);
    name.push_back('_');
  }
  name.append(control.executes);
  return name;
}

}  // namespace asr::catalog
