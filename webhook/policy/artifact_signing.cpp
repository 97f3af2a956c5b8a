#include "webhook/policy/artifact_signing.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <vector>

#include "webhook/common/crypto.h"

namespace migwarden::policy {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey readKey(std::string_view pem, bool isPrivate) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  return Pkey(isPrivate ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                        : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

// The algorithm name for a key, or "" when the key type is not accepted.
std::string algorithmOf(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return "ed25519";
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len) == 1 &&
        std::string_view(group) == "prime256v1") {
      return "ecdsa-p256-sha256";
    }
  }
  return "";
}

}  // namespace

Result<ArtifactSignature> signDigest(std::string_view digest, std::string_view privateKeyPem) {
  Pkey key = readKey(privateKeyPem, true);
  if (!key) return Status::InvalidArgument("signing key: not a PEM private key");
  std::string algorithm = algorithmOf(key.get());
  if (algorithm.empty()) return Status::InvalidArgument("signing key: must be Ed25519 or ECDSA P-256");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const EVP_MD* md = algorithm == "ed25519" ? nullptr : EVP_sha256();
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) != 1) {
    return Status::Internal("signing failed");
  }
  std::vector<unsigned char> sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) != 1) {
    return Status::Internal("signing failed");
  }
  return ArtifactSignature{algorithm, crypto::base64Encode(std::string_view(reinterpret_cast<const char*>(sig.data()), len))};
}

Status verifyDigestSignature(std::string_view digest, const ArtifactSignature& signature, std::string_view publicKeyPem) {
  Pkey key = readKey(publicKeyPem, false);
  if (!key) return Status::InvalidArgument("policy public key: not a PEM public key");
  std::string algorithm = algorithmOf(key.get());
  if (algorithm.empty()) return Status::InvalidArgument("policy public key: must be Ed25519 or ECDSA P-256");
  if (signature.algorithm != algorithm) {
    return Status::PermissionDenied("artifact signed with " + (signature.algorithm.empty() ? "nothing" : signature.algorithm) +
                                    ", the policy public key is " + algorithm);
  }
  auto raw = crypto::base64Decode(signature.value);
  if (!raw) return Status::PermissionDenied("artifact signature is not base64");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const EVP_MD* md = algorithm == "ed25519" ? nullptr : EVP_sha256();
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1) {
    return Status::Internal("signature verification setup failed");
  }
  int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(raw->data()), raw->size(),
                            reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
  if (ok != 1) return Status::PermissionDenied("artifact signature does not verify with the policy public key");
  return Status::Ok();
}

}  // namespace migwarden::policy
