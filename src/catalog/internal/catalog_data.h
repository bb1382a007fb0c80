#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "catalog/catalog.h"

// The compiled-in catalogue data. The definitions are generated at build time by
// tools/gen_catalog.py from src/catalog/data/*.csv into the build directory (catalog_data.cc);
// never edit or commit the generated file. Only catalog.cc uses this header.
namespace asr::catalog::internal {

// One control as generated; Catalog::Builtin() turns it into a Control. All views refer to
// static storage.
struct ControlRow {
  std::size_t playbook = 0;  // index into PlaybookRows()
  std::string_view control_id;
  std::string_view executes;
  std::string_view security_control_id;
  std::span<const std::string_view> security_control_candidates;
  std::string_view remediation_id;
  std::span<const std::string_view> runbooks;
  std::string_view resource_type;
  std::string_view version_added;
};

// In playbooks.csv order.
std::span<const Playbook> PlaybookRows();
// Grouped by playbook in PlaybookRows() order; within a playbook, in controls.csv order.
std::span<const ControlRow> ControlRows();

}  // namespace asr::catalog::internal
