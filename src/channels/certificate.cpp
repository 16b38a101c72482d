// X.509 certificates from PEM text, their validity window, and RSA-SHA256 verification (libcrypto).
#include <odoosync/channels/certificate.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <optional>

namespace odoosync {
inline namespace v0 {
namespace channels {

struct Certificate::Impl {
  X509* cert = nullptr;
  std::chrono::system_clock::time_point not_before, not_after;
  ~Impl() { X509_free(cert); }
};

namespace {

std::optional<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

result<Certificate> Certificate::from_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return Error::validation("certificate: out of memory");
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!cert) return Error::validation("certificate: no PEM certificate could be read");
  auto impl = std::make_shared<Impl>();
  impl->cert = cert;
  auto nb = to_time_point(X509_get0_notBefore(cert));
  auto na = to_time_point(X509_get0_notAfter(cert));
  if (!nb || !na) return Error::validation("certificate: unreadable validity dates");
  impl->not_before = *nb;
  impl->not_after = *na;
  return Certificate(std::move(impl));
}

std::chrono::system_clock::time_point Certificate::not_before() const { return impl_->not_before; }
std::chrono::system_clock::time_point Certificate::not_after() const { return impl_->not_after; }

std::string Certificate::subject_common_name() const {
  const X509_NAME* name = X509_get_subject_name(impl_->cert);
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

result<void> Certificate::check_valid_at(std::chrono::system_clock::time_point now) const {
  if (now < impl_->not_before)
    return Error(ErrorKind::auth, "certificate not valid before " + utc_text(impl_->not_before));
  if (now > impl_->not_after) return Error(ErrorKind::auth, "certificate expired on " + utc_text(impl_->not_after));
  return success();
}

bool Certificate::verify_rsa_sha256(std::string_view message, std::string_view signature) const {
  EVP_PKEY* key = X509_get0_pubkey(impl_->cert);
  if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string utc_text(std::chrono::system_clock::time_point t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
