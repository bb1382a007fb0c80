#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>  // mkdtemp
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/strings.h"

namespace asr::catalog {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kOracleControls = ASR_SHARED_DIR "/spec/controls.csv";
constexpr std::string_view kOurControls = ASR_SOURCE_DIR "/src/catalog/data/controls.csv";
constexpr std::string_view kOurRemaps = ASR_SOURCE_DIR "/src/catalog/data/remaps.csv";

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFile(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// RFC 4180 CSV: quoted fields with "" escapes, CRLF or LF line ends. Blank lines are skipped.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  const auto end_row = [&] {
    if (field_started || !row.empty()) {
      row.push_back(std::move(field));
      rows.push_back(std::move(row));
    }
    row.clear();
    field.clear();
    field_started = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = true;
    } else if (c == '\n') {
      end_row();
    } else if (c != '\r') {
      field.push_back(c);
      field_started = true;
    }
  }
  end_row();
  return rows;
}

// controls.csv rows as maps keyed by column name.
std::vector<std::map<std::string, std::string>> ReadCsvRecords(const fs::path& path) {
  std::vector<std::map<std::string, std::string>> records;
  const std::optional<std::string> text = ReadFile(path);
  if (!text) {
    ADD_FAILURE() << "cannot read " << path;
    return records;
  }
  const auto rows = ParseCsv(*text);
  if (rows.empty()) {
    ADD_FAILURE() << path << " is empty";
    return records;
  }
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != rows[0].size()) {
      ADD_FAILURE() << path << " row " << r + 1 << " has " << rows[r].size() << " fields";
      continue;
    }
    std::map<std::string, std::string> record;
    for (std::size_t c = 0; c < rows[0].size(); ++c) {
      record[rows[0][c]] = rows[r][c];
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<std::string> ToStrings(const std::vector<std::string_view>& views) {
  return {views.begin(), views.end()};
}

std::vector<std::string> SplitToStrings(std::string_view s, char sep) {
  return ToStrings(Split(s, sep));
}

const Playbook& MustFindPlaybook(std::string_view id) {
  const Playbook* playbook = Catalog::Builtin().FindPlaybook(id);
  if (playbook == nullptr) {
    ADD_FAILURE() << "no playbook " << id;
    static const Playbook kNone{};
    return kNone;
  }
  return *playbook;
}

TEST(CatalogDataTest, ControlsCsvIsByteIdenticalToSpec) {
  const std::optional<std::string> oracle = ReadFile(kOracleControls);
  const std::optional<std::string> ours = ReadFile(kOurControls);
  ASSERT_TRUE(oracle.has_value()) << "cannot read " << kOracleControls;
  ASSERT_TRUE(ours.has_value()) << "cannot read " << kOurControls;
  EXPECT_TRUE(*oracle == *ours)
      << "src/catalog/data/controls.csv differs from the spec's controls.csv. Resync with:\n  cp "
      << kOracleControls << " " << kOurControls
      << "\nthen review src/catalog/data/remaps.csv and rebuild (the generator re-validates).";
}

// Derives the expected Control fields from an oracle row exactly as README.md documents it,
// independently of tools/gen_catalog.py.
struct Expected {
  std::string security_control_id;
  std::vector<std::string> candidates;
  std::vector<std::string> runbooks;
  std::string remediation_id;
};

Expected ExpectedFromRow(const std::map<std::string, std::string>& row) {
  Expected want;
  const std::string& security = row.at("security_control_id");
  if (security.starts_with("ambiguous:")) {
    want.candidates = SplitToStrings(std::string_view(security).substr(10), '|');
  } else if (!security.starts_with("not found")) {
    want.security_control_id = security;
  }
  want.runbooks = SplitToStrings(row.at("remediation_runbook"), ';');
  std::string chosen = want.runbooks.front();
  for (const std::string& runbook : want.runbooks) {
    if (runbook.starts_with("ASR-")) {
      chosen = runbook;
      break;
    }
  }
  want.remediation_id = chosen.substr(4);  // drop "ASR-" / "AWS-"
  return want;
}

TEST(CatalogDataTest, EverySpecRowIsInTheBuiltinCatalog) {
  const Catalog& catalog = Catalog::Builtin();
  const auto rows = ReadCsvRecords(fs::path(kOracleControls));
  ASSERT_EQ(rows.size(), 361u);
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("playbook") + " " + row.at("control_id"));
    const Playbook* playbook = catalog.FindPlaybook(row.at("playbook"));
    ASSERT_NE(playbook, nullptr);
    EXPECT_EQ(playbook->standard_long_name, row.at("standard_long_name"));
    EXPECT_EQ(playbook->version, row.at("version"));
    const Control* control = catalog.FindControl(*playbook, row.at("control_id"));
    ASSERT_NE(control, nullptr);
    EXPECT_EQ(control->playbook, playbook);
    EXPECT_EQ(control->control_id, row.at("control_id"));
    const Expected want = ExpectedFromRow(row);
    EXPECT_EQ(control->security_control_id, want.security_control_id);
    EXPECT_EQ(ToStrings(control->security_control_candidates), want.candidates);
    EXPECT_EQ(ToStrings(control->runbooks), want.runbooks);
    EXPECT_EQ(control->remediation_id, want.remediation_id);
    EXPECT_EQ(control->resource_type, row.at("resource_type"));
    EXPECT_EQ(control->version_added, row.at("version_added"));
  }
  EXPECT_EQ(catalog.AllControls().size(), rows.size()) << "the catalogue has controls not in spec";
}

TEST(CatalogDataTest, RemapsMatchRemapsCsvAndShareTheRemediation) {
  const Catalog& catalog = Catalog::Builtin();
  const auto remaps = ReadCsvRecords(fs::path(kOurRemaps));
  ASSERT_EQ(remaps.size(), 64u);  // spec §c.1
  std::size_t remapped = 0;
  for (const Control& control : catalog.AllControls()) {
    SCOPED_TRACE(std::string(control.playbook->id) + " " + std::string(control.control_id));
    if (control.executes == control.control_id) {
      continue;
    }
    ++remapped;
    const Control* target = catalog.FindControl(*control.playbook, control.executes);
    ASSERT_NE(target, nullptr);
    EXPECT_EQ(target->executes, target->control_id) << "remaps don't chain";
    EXPECT_EQ(target->remediation_id, control.remediation_id);
    EXPECT_EQ(target->runbooks, control.runbooks);
  }
  EXPECT_EQ(remapped, remaps.size());
  for (const auto& remap : remaps) {
    SCOPED_TRACE(remap.at("playbook") + " " + remap.at("control_id"));
    const Control* control =
        catalog.FindControl(MustFindPlaybook(remap.at("playbook")), remap.at("control_id"));
    ASSERT_NE(control, nullptr);
    EXPECT_EQ(control->executes, remap.at("executes"));
  }
}

TEST(CatalogTest, CountsPerPlaybook) {
  const Catalog& catalog = Catalog::Builtin();
  struct Case {
    std::string_view playbook;
    std::size_t want;
  };
  const Case cases[] = {
      {"SC", 106},    {"AFSBP", 70},  {"NIST80053", 68}, {"CIS120", 36},
      {"CIS140", 34}, {"PCI321", 27}, {"CIS300", 20},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.playbook);
    const Playbook& playbook = MustFindPlaybook(c.playbook);
    const std::span<const Control> controls = catalog.Controls(playbook);
    EXPECT_EQ(controls.size(), c.want);
    for (const Control& control : controls) {
      EXPECT_EQ(control.playbook, &playbook);
    }
  }
  EXPECT_EQ(catalog.Playbooks().size(), std::size(cases));
  EXPECT_EQ(catalog.AllControls().size(), 361u);
}

TEST(CatalogTest, FindPlaybookById) {
  const Catalog& catalog = Catalog::Builtin();
  struct Case {
    std::string_view id;
    std::optional<std::string_view> want_short_name;
  };
  const Case cases[] = {
      {"SC", "SC"},
      {"sc", "SC"},
      {"cis120", "CIS"},
      {"AFSBP", "AFSBP"},
      {"Nist80053", "NIST80053R5"},
      {"PCI321", "PCI"},
      {"CIS", std::nullopt},
      {"", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    const Playbook* playbook = catalog.FindPlaybook(c.id);
    if (!c.want_short_name) {
      EXPECT_EQ(playbook, nullptr);
      continue;
    }
    ASSERT_NE(playbook, nullptr);
    EXPECT_EQ(playbook->short_name, *c.want_short_name);
  }
}

TEST(CatalogTest, FindPlaybookByStandard) {
  const Catalog& catalog = Catalog::Builtin();
  struct Case {
    std::string_view long_name;
    std::string_view version;
    std::optional<std::string_view> want_id;
  };
  const Case cases[] = {
      {"security-control", "2.0.0", "SC"},
      {"aws-foundational-security-best-practices", "1.0.0", "AFSBP"},
      {"cis-aws-foundations-benchmark", "1.2.0", "CIS120"},
      {"CIS-AWS-Foundations-Benchmark", "1.4.0", "CIS140"},
      {"cis-aws-foundations-benchmark", "3.0.0", "CIS300"},
      {"pci-dss", "3.2.1", "PCI321"},
      {"nist-800-53", "5.0.0", "NIST80053"},
      {"cis-aws-foundations-benchmark", "1.7.0", std::nullopt},
      {"cis-aws-foundations-benchmark", "", std::nullopt},
      {"security-control", "2.0", std::nullopt},
      {"unknown-standard", "1.0.0", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.long_name) + " " + std::string(c.version));
    const Playbook* playbook = catalog.FindPlaybookByStandard(c.long_name, c.version);
    if (!c.want_id) {
      EXPECT_EQ(playbook, nullptr);
      continue;
    }
    ASSERT_NE(playbook, nullptr);
    EXPECT_EQ(playbook->id, *c.want_id);
  }
}

TEST(CatalogTest, FindControlIsCaseInsensitive) {
  const Catalog& catalog = Catalog::Builtin();
  struct Case {
    std::string_view playbook;
    std::string_view query;
    std::optional<std::string_view> want;  // the control id as stored
  };
  const Case cases[] = {
      {"SC", "AutoScaling.5", "Autoscaling.5"},
      {"SC", "autoscaling.5", "Autoscaling.5"},
      {"SC", "Autoscaling.5", "Autoscaling.5"},
      {"SC", "s3.2", "S3.2"},
      {"SC", "EC2.1", "EC2.1"},
      {"PCI321", "pci.iam.7", "PCI.IAM.7"},
      {"CIS120", "1.10", "1.10"},
      {"SC", "S3.20", std::nullopt},
      {"SC", "S3.", std::nullopt},
      {"SC", "", std::nullopt},
      {"SC", "NoSuch.1", std::nullopt},
      {"AFSBP", "PCI.IAM.7", std::nullopt},
      {"CIS120", "1.1O", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.playbook) + " " + std::string(c.query));
    const Control* control = catalog.FindControl(MustFindPlaybook(c.playbook), c.query);
    if (!c.want) {
      EXPECT_EQ(control, nullptr);
      continue;
    }
    ASSERT_NE(control, nullptr);
    EXPECT_EQ(control->control_id, *c.want);
  }
}

TEST(CatalogTest, RemapsAndRunbookNames) {
  const Catalog& catalog = Catalog::Builtin();
  struct Case {
    std::string_view playbook;
    std::string_view control;
    std::string_view want_executes;
    std::string_view want_remediation;
    std::string_view want_runbook;
  };
  const Case cases[] = {
      {"CIS120", "1.6", "1.5", "SetIAMPasswordPolicy", "ASR-CIS_1.2.0_1.5"},
      {"CIS120", "1.5", "1.5", "SetIAMPasswordPolicy", "ASR-CIS_1.2.0_1.5"},
      {"SC", "S3.8", "S3.2", "ConfigureS3BucketPublicAccessBlock", "ASR-SC_2.0.0_S3.2"},
      {"SC", "EC2.14", "EC2.13", "DisablePublicAccessForSecurityGroup", "ASR-SC_2.0.0_EC2.13"},
      {"SC", "S3.9", "CloudTrail.7", "CreateAccessLoggingBucket", "ASR-SC_2.0.0_CloudTrail.7"},
      {"SC", "EC2.1", "EC2.1", "MakeEBSSnapshotsPrivate", "ASR-SC_2.0.0_EC2.1"},
      {"AFSBP", "S3.2", "S3.2", "ConfigureS3BucketPublicAccessBlock", "ASR-AFSBP_1.0.0_S3.2"},
      {"CIS140", "4.2", "4.1", "CreateLogMetricFilterAndAlarm", "ASR-CIS_1.4.0_4.1"},
      {"CIS300", "1.9", "1.8", "SetIAMPasswordPolicy", "ASR-CIS_3.0.0_1.8"},
      {"PCI321", "PCI.S3.2", "PCI.S3.1", "ConfigureS3BucketPublicAccessBlock",
       "ASR-PCI_3.2.1_PCI.S3.1"},
      {"PCI321", "PCI.IAM.7", "PCI.IAM.7", "RevokeUnusedIAMUserCredentials",
       "ASR-PCI_3.2.1_PCI.IAM.7"},
      {"NIST80053", "S3.8", "S3.2", "ConfigureS3BucketPublicAccessBlock",
       "ASR-NIST80053R5_5.0.0_S3.2"},
      {"NIST80053", "RDS.1", "RDS.1", "MakeRDSSnapshotPrivate", "ASR-NIST80053R5_5.0.0_RDS.1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.playbook) + " " + std::string(c.control));
    const Control* control = catalog.FindControl(MustFindPlaybook(c.playbook), c.control);
    ASSERT_NE(control, nullptr);
    EXPECT_EQ(control->executes, c.want_executes);
    EXPECT_EQ(control->remediation_id, c.want_remediation);
    EXPECT_EQ(Catalog::ControlRunbookName(*control), c.want_runbook);
  }
}

TEST(CatalogTest, SecurityControlIds) {
  const Catalog& catalog = Catalog::Builtin();
  struct Case {
    std::string_view playbook;
    std::string_view control;
    std::string_view want_id;
    std::size_t want_candidates;
  };
  const Case cases[] = {
      {"CIS120", "1.5", "", 8},  // ambiguous: IAM.7, IAM.11..17
      {"CIS120", "3.1", "CloudWatch.2", 0},
      {"CIS140", "4.1", "", 0},  // "not found" in the reference
      {"AFSBP", "ELBv2.1", "ELB.1", 0},
      {"SC", "Autoscaling.5", "Autoscaling.5", 0},
      {"PCI321", "PCI.S3.1", "", 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.playbook) + " " + std::string(c.control));
    const Control* control = catalog.FindControl(MustFindPlaybook(c.playbook), c.control);
    ASSERT_NE(control, nullptr);
    EXPECT_EQ(control->security_control_id, c.want_id);
    EXPECT_EQ(control->security_control_candidates.size(), c.want_candidates);
  }
  const Control* cis15 = catalog.FindControl(MustFindPlaybook("CIS120"), "1.5");
  ASSERT_NE(cis15, nullptr);
  EXPECT_EQ(ToStrings(cis15->security_control_candidates),
            (std::vector<std::string>{"IAM.7", "IAM.11", "IAM.12", "IAM.13", "IAM.14", "IAM.15",
                                      "IAM.16", "IAM.17"}));
}

TEST(CatalogTest, MultiRunbookControlKeepsAllRunbooks) {
  const Control* control = Catalog::Builtin().FindControl(MustFindPlaybook("SC"), "CloudTrail.7");
  ASSERT_NE(control, nullptr);
  EXPECT_EQ(
      ToStrings(control->runbooks),
      (std::vector<std::string>{"ASR-CreateAccessLoggingBucket", "AWS-ConfigureS3BucketLogging"}));
  EXPECT_EQ(control->remediation_id, "CreateAccessLoggingBucket");
}

Playbook MakePlaybook(std::string_view id, std::string_view short_name, std::string_view version) {
  Playbook playbook;
  playbook.id = id;
  playbook.short_name = short_name;
  playbook.version = version;
  return playbook;
}

Control MakeControl(std::string_view control_id, std::string_view executes) {
  Control control;
  control.control_id = control_id;
  control.executes = executes;
  return control;
}

Catalog SmallCatalog() {
  std::vector<Catalog::PlaybookEntry> entries;
  entries.push_back({.playbook = MakePlaybook("A", "AA", "1.0.0"),
                     .controls = {MakeControl("X.1", "X.1"), MakeControl("x.1", "x.1"),
                                  MakeControl("X.2", "X.1")}});
  entries.push_back(
      {.playbook = MakePlaybook("B", "BB", "2.0.0"), .controls = {MakeControl("X.1", "X.1")}});
  return Catalog(std::move(entries));
}

TEST(CatalogTest, ConstructedCatalogSurvivesMoveAndMatchesPlaybooksById) {
  Catalog built = SmallCatalog();
  const Catalog catalog(std::move(built));  // controls must still point at catalog's playbooks
  ASSERT_EQ(catalog.Playbooks().size(), 2u);
  const Playbook& a = catalog.Playbooks()[0];
  const Playbook& b = catalog.Playbooks()[1];
  ASSERT_EQ(catalog.Controls(a).size(), 3u);
  ASSERT_EQ(catalog.Controls(b).size(), 1u);
  for (const Control& control : catalog.AllControls()) {
    EXPECT_TRUE(control.playbook == &a || control.playbook == &b);
  }

  // Duplicate ids (case-insensitively): the first in data order wins.
  const Control* x1 = catalog.FindControl(a, "X.1");
  ASSERT_NE(x1, nullptr);
  EXPECT_EQ(x1, catalog.Controls(a).data());

  // A Playbook that isn't one of Playbooks() is matched by id.
  const Playbook copy_of_b = b;
  const Control* b_x1 = catalog.FindControl(copy_of_b, "x.1");
  ASSERT_NE(b_x1, nullptr);
  EXPECT_EQ(b_x1->playbook, &b);
  EXPECT_EQ(catalog.Controls(copy_of_b).size(), 1u);

  const Playbook unknown = MakePlaybook("C", "CC", "1.0.0");
  EXPECT_EQ(catalog.FindControl(unknown, "X.1"), nullptr);
  EXPECT_TRUE(catalog.Controls(unknown).empty());

  const Control* x2 = catalog.FindControl(a, "X.2");
  ASSERT_NE(x2, nullptr);
  EXPECT_EQ(Catalog::ControlRunbookName(*x2), "ASR-AA_1.0.0_X.1");
}

// --- tools/gen_catalog.py -------------------------------------------------------------------

constexpr std::string_view kGoodPlaybooks =
    "id,short_name,standard_long_name,version,title\n"
    "SC,SC,security-control,2.0.0,Security controls\n"
    "PCI321,PCI,pci-dss,3.2.1,PCI DSS 3.2.1\n";
constexpr std::string_view kControlsHeader =
    "playbook,standard_long_name,version,control_id,security_control_id,remediation_runbook,"
    "resource_type,version_added\r\n";
constexpr std::string_view kGoodControls =
    "SC,security-control,2.0.0,S3.2,S3.2,ASR-ConfigureS3BucketPublicAccessBlock,AwsS3Bucket,2.1."
    "0\r\n"
    "SC,security-control,2.0.0,S3.8,S3.8,ASR-ConfigureS3BucketPublicAccessBlock,AwsS3Bucket,2.1."
    "0\r\n"
    "SC,security-control,2.0.0,Autoscaling.5,Autoscaling.5,ASR-X,AwsAccount,2.2.0\r\n"
    "PCI321,pci-dss,3.2.1,PCI.S3.1,ambiguous:S3.2|S3.8,ASR-ConfigureS3BucketPublicAccessBlock,"
    "AwsS3Bucket,2.1.0\r\n";
constexpr std::string_view kRemapsHeader = "playbook,control_id,executes\n";
constexpr std::string_view kGoodRemaps = "SC,S3.8,S3.2\n";

struct GeneratorRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs the generator on the given CSV contents in a fresh temporary directory.
class CatalogGeneratorTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(testing::TempDir()) / "catalog_gen_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  [[nodiscard]] GeneratorRun Run(std::string_view playbooks, std::string_view controls,
                                 std::string_view remaps) const {
    WriteFile(dir_ / "playbooks.csv", playbooks);
    WriteFile(dir_ / "controls.csv", controls);
    WriteFile(dir_ / "remaps.csv", remaps);
    std::error_code ignored;
    fs::remove(Output(), ignored);
    const auto quote = [](const fs::path& p) { return "'" + p.string() + "'"; };
    const std::string command =
        quote(ASR_PYTHON3_EXECUTABLE) + " " + quote(ASR_CATALOG_GENERATOR) + " --playbooks " +
        quote(dir_ / "playbooks.csv") + " --controls " + quote(dir_ / "controls.csv") +
        " --remaps " + quote(dir_ / "remaps.csv") + " --output " + quote(Output()) + " 2>&1";
    GeneratorRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
      ADD_FAILURE() << "popen failed: " << command;
      return run;
    }
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
      run.output.append(buffer.data(), n);
    }
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  }

  [[nodiscard]] fs::path Output() const { return dir_ / "out" / "catalog_data.cc"; }

 private:
  fs::path dir_;
};

TEST_F(CatalogGeneratorTest, AcceptsValidDataAndWritesTheArrays) {
  const GeneratorRun run =
      Run(kGoodPlaybooks, std::string(kControlsHeader) + std::string(kGoodControls),
          std::string(kRemapsHeader) + std::string(kGoodRemaps));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::optional<std::string> generated = ReadFile(Output());
  ASSERT_TRUE(generated.has_value());
  EXPECT_NE(
      generated->find(R"({0, "S3.8", "S3.2", "S3.8", {}, "ConfigureS3BucketPublicAccessBlock")"),
      std::string::npos)
      << *generated;
  EXPECT_NE(generated->find(R"({1, "PCI.S3.1", "PCI.S3.1", "", kList)"), std::string::npos)
      << *generated;
}

TEST_F(CatalogGeneratorTest, RejectsBadDataWithAClearMessage) {
  const std::string controls = std::string(kControlsHeader) + std::string(kGoodControls);
  const std::string remaps = std::string(kRemapsHeader) + std::string(kGoodRemaps);
  struct Case {
    std::string name;
    std::string playbooks;
    std::string controls;
    std::string remaps;
    std::string want_message;
  };
  const Case cases[] = {
      {"duplicate control, case-insensitively", std::string(kGoodPlaybooks),
       controls + "SC,security-control,2.0.0,AutoScaling.5,AutoScaling.5,ASR-X,AwsAccount,2.2.0\n",
       remaps, "controls.csv:6: duplicate control 'AutoScaling.5' in playbook 'SC'"},
      {"remap to a missing control", std::string(kGoodPlaybooks), controls,
       remaps + "SC,S3.2,S3.99\n",
       "remaps.csv:3: remap target 'S3.99' is not a control of playbook 'SC'"},
      {"remap of a missing control", std::string(kGoodPlaybooks), controls,
       remaps + "SC,S3.98,S3.2\n",
       "remaps.csv:3: remap source 'S3.98' is not a control of playbook 'SC'"},
      {"remap with a different runbook", std::string(kGoodPlaybooks), controls,
       remaps + "SC,Autoscaling.5,S3.2\n",
       "remap SC Autoscaling.5 -> S3.2: runbook differs ('ASR-X' vs "
       "'ASR-ConfigureS3BucketPublicAccessBlock')"},
      {"bad runbook prefix", std::string(kGoodPlaybooks),
       controls + "SC,security-control,2.0.0,EC2.1,EC2.1,Custom-Fix,AwsAccount,2.1.0\n", remaps,
       "control 'EC2.1': runbook name 'Custom-Fix' must start with ASR- or AWS-"},
      {"bad second runbook prefix", std::string(kGoodPlaybooks),
       controls + "SC,security-control,2.0.0,EC2.1,EC2.1,ASR-A;SSM-B,AwsAccount,2.1.0\n", remaps,
       "runbook name 'SSM-B' must start with ASR- or AWS-"},
      {"unknown playbook", std::string(kGoodPlaybooks),
       controls + "CIS120,cis-aws-foundations-benchmark,1.2.0,1.5,IAM.7,ASR-A,AwsAccount,2.1.0\n",
       remaps, "controls.csv:6: unknown playbook 'CIS120'"},
      {"standard differs from playbooks.csv", std::string(kGoodPlaybooks),
       controls + "SC,security-control,2.0.1,EC2.1,EC2.1,ASR-A,AwsAccount,2.1.0\n", remaps,
       "control 'EC2.1' says standard security-control 2.0.1 but playbook 'SC' is "
       "security-control 2.0.0"},
      {"remap chain", std::string(kGoodPlaybooks),
       controls +
           "SC,security-control,2.0.0,S3.3,S3.3,ASR-ConfigureS3BucketPublicAccessBlock,AwsS3Bucket,"
           "2.1.0\n",
       remaps + "SC,S3.3,S3.8\n", "remap target 'S3.8' of playbook 'SC' is itself remapped"},
      {"bad security control id", std::string(kGoodPlaybooks),
       controls + "SC,security-control,2.0.0,EC2.1,EC2 1,ASR-A,AwsAccount,2.1.0\n", remaps,
       "security control id 'EC2 1' is not like 'S3.2'"},
      {"wrong header", std::string(kGoodPlaybooks), "playbook,control_id\nSC,S3.2\n", remaps,
       "controls.csv:1: header must be"},
      {"missing field", std::string(kGoodPlaybooks),
       controls + "SC,security-control,2.0.0,EC2.1,EC2.1,ASR-A,AwsAccount\n", remaps,
       "controls.csv:6: expected 8 fields, got 7"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const GeneratorRun run = Run(c.playbooks, c.controls, c.remaps);
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find(c.want_message), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("nothing written"), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(Output()));
  }
}

}  // namespace
}  // namespace asr::catalog
