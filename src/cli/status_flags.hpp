// The status page's options shared by `serve` and `sync run --metrics-listen`: where its replay token
// comes from, or that there is no page at all (ops/status_page.hpp; docs/operations.md).
#pragma once

#include <CLI/CLI.hpp>

#include <odoosync/core/result.hpp>
#include <odoosync/ops/status_page.hpp>
#include <odoosync/serve/webhook_receiver.hpp>

#include <memory>
#include <string>

namespace cli {

struct StatusFlags {
  std::string token_file;    // --status-token-file PATH
  std::string token_source;  // --status-token-source SPEC, else $ODOOSYNC_STATUS_TOKEN_SOURCE
  bool off = false;          // --no-status-page
};

void add_status_flags(CLI::App& command, StatusFlags& flags);

// The page over `engine`, or nullptr with --no-status-page. Without a token source the page is read-only.
// A token source that cannot be read now is an error (a typo is said at start, not at the first replay).
odoosync::result<std::shared_ptr<odoosync::ops::StatusPage>> make_status_page(const StatusFlags& flags,
                                                                              odoosync::sync::Engine& engine,
                                                                              odoosync::ops::StatusPageOptions options);

// The page mounted in the webhook receiver: its request and answer types are the receiver's.
void mount_status_page(odoosync::serve::ReceiverOptions& receiver, std::shared_ptr<odoosync::ops::StatusPage> page);

// The receiver's counters as the page shows them.
std::vector<odoosync::ops::ChannelDeliveries> channel_deliveries(const odoosync::serve::ReceiverMetrics& metrics);

}  // namespace cli
