#include "proto/registry.h"

#include "proto/dns/dns_analyzer.h"
#include "proto/ftp/ftp_analyzer.h"
#include "proto/http/http_analyzer.h"
#include "proto/imap/imap_analyzer.h"
#include "proto/mssql/mssql_analyzer.h"
#include "proto/mysql/mysql_analyzer.h"
#include "proto/pop3/pop3_analyzer.h"
#include "proto/postgres/postgres_analyzer.h"
#include "proto/rdp/rdp_analyzer.h"
#include "proto/redis/redis_analyzer.h"
#include "proto/smb/smb_analyzer.h"
#include "proto/smtp/smtp_analyzer.h"
#include "proto/ssh/ssh_analyzer.h"
#include "proto/telnet/telnet_analyzer.h"
#include "proto/tls/tls_analyzer.h"

namespace trawl::proto {

namespace {
// The analyzers, in the order that breaks ties between equally sure probes.
constexpr const AnalyzerInfo* kAnalyzers[] = {
    &dns::kDnsUdpAnalyzer, &dns::kMdnsAnalyzer, &dns::kLlmnrAnalyzer, &dns::kDnsAnalyzer,
    &tls::kTlsAnalyzer,     &kHttpAnalyzer,        &smtp::kSmtpAnalyzer,  &pop3::kPop3Analyzer,   &imap::kImapAnalyzer,
    &ftp::kFtpAnalyzer,     &telnet::kTelnetAnalyzer, &ssh::kSshAnalyzer,  &rdp::kRdpAnalyzer,
    &kSmbAnalyzer,
    &mysql::kMysqlAnalyzer, &postgres::kPostgresAnalyzer, &redis::kRedisAnalyzer, &mssql::kMssqlAnalyzer,
};
}  // namespace

std::span<const AnalyzerInfo* const> analyzers() { return kAnalyzers; }

}  // namespace trawl::proto
