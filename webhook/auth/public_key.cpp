#include "webhook/auth/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace migwarden::auth {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr size_t kP256CoordinateBytes = 32;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

BnPtr bignum(std::string_view bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

Result<std::shared_ptr<evp_pkey_st>> fromParams(const char* type, OSSL_PARAM* params) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    return Status::InvalidArgument(std::string("OpenSSL rejected the ") + type + " key parameters");
  std::shared_ptr<evp_pkey_st> key(raw, EVP_PKEY_free);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) <= 0)
    return Status::InvalidArgument(std::string("the ") + type + " public key fails validation");
  return key;
}

// JWS ES256 signatures are R||S (RFC 7518 §3.4); OpenSSL wants DER.
std::string rawEcdsaToDer(std::string_view raw) {
  const size_t half = raw.size() / 2;
  EcSigPtr sig(ECDSA_SIG_new());
  BnPtr r = bignum(raw.substr(0, half));
  BnPtr s = bignum(raw.substr(half));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return {};
  r.release();  // owned by sig now
  s.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return {};
  return der;
}

}  // namespace

std::string_view algorithmName(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::kHS256: return "HS256";
    case JwsAlgorithm::kRS256: return "RS256";
    case JwsAlgorithm::kES256: return "ES256";
  }
  return "?";
}

Result<PublicKey> PublicKey::rsa(std::string_view modulus, std::string_view exponent) {
  BnPtr n = bignum(modulus);
  BnPtr e = bignum(exponent);
  if (!n || !e || BN_is_zero(e.get()) || !BN_is_odd(e.get())) return Status::InvalidArgument("invalid RSA exponent");
  if (BN_num_bits(n.get()) < kMinRsaBits)
    return Status::InvalidArgument("RSA modulus has " + std::to_string(BN_num_bits(n.get())) + " bits; at least " +
                                   std::to_string(kMinRsaBits) + " required");
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return Status::Internal("OpenSSL parameter builder failed");
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return Status::Internal("OpenSSL parameter builder failed");
  auto key = fromParams("RSA", params.get());
  if (!key.ok()) return key.status();
  return PublicKey(JwsAlgorithm::kRS256, std::move(*key));
}

Result<PublicKey> PublicKey::p256(std::string_view x, std::string_view y) {
  if (x.size() != kP256CoordinateBytes || y.size() != kP256CoordinateBytes)
    return Status::InvalidArgument("P-256 coordinates must be 32 bytes each");
  std::string point = "\x04";  // uncompressed SEC1 point
  point.append(x).append(y);
  char group[] = "P-256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  auto key = fromParams("EC", params);
  if (!key.ok()) return key.status();
  return PublicKey(JwsAlgorithm::kES256, std::move(*key));
}

bool PublicKey::verify(std::string_view signingInput, std::string_view signature) const {
  std::string der;
  if (alg_ == JwsAlgorithm::kES256) {
    if (signature.size() != 2 * kP256CoordinateBytes) return false;
    der = rawEcdsaToDer(signature);
    if (der.empty()) return false;
    signature = der;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_.get(), nullptr) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size()) == 1;
}

}  // namespace migwarden::auth
