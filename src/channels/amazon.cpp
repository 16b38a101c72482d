// Amazon SP-API: there is nothing to verify cryptographically. ORDER_CHANGE notifications reach an SQS
// queue that only Amazon may send to (the queue's IAM policy), and the host reads them with its own AWS
// credentials; the message is not signed. So this verifier does not authenticate: it only accepts a
// delivery whose Delivery::url is one of the configured queue URLs (the host's SQS reader sets it), which
// keeps an Amazon channel from being fed through an HTTP endpoint. The delivery id is the notification's
// NotificationMetadata.NotificationId (SQS standard queues deliver at least once).
#include "verifier_base.hpp"

#include <algorithm>

namespace odoosync {
inline namespace v0 {
namespace channels::detail {

namespace {

class AmazonVerifier final : public VerifierBase {
 public:
  explicit AmazonVerifier(VerifierOptions o) : VerifierBase(Provider::amazon, std::move(o)) {}

 protected:
  std::string_view proof() const noexcept override { return "queue"; }

  result<bool> authenticate(const Delivery& d) const override {
    const auto& queues = options().amazon_queue_urls;
    if (std::find(queues.begin(), queues.end(), d.url) == queues.end())
      return Error(ErrorKind::auth,
                   "not read from a configured SQS queue (SP-API notifications are unsigned: they are trusted only "
                   "as messages the host read from its own queue)");
    return false;
  }

  result<std::string> find_id(const Delivery& d) const override {
    return body_string(d, {"NotificationMetadata", "NotificationId"});
  }
};

}  // namespace

result<std::unique_ptr<Verifier>> make_amazon(VerifierOptions o) {
  if (o.amazon_queue_urls.empty()) return Error::validation("Amazon SP-API: no queue_urls configured");
  for (const auto& q : o.amazon_queue_urls)
    if (q.empty()) return Error::validation("Amazon SP-API: an empty queue URL is configured");
  return std::unique_ptr<Verifier>(std::make_unique<AmazonVerifier>(std::move(o)));
}

}  // namespace channels::detail
}  // namespace v0
}  // namespace odoosync
