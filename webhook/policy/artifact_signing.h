// Optional artifact signatures: `migwardenctl policy compile --sign KEY` signs the policy
// digest ("sha256:<hex>", which covers the whole canonical content) with an Ed25519 or
// ECDSA P-256 private key (PEM, via OpenSSL); the webhook's --policy-pubkey makes an
// unsigned or wrongly signed artifact unacceptable. The signature sits beside the digest
// in the artifact header, outside the signed content:
//   "signature": {"algorithm": "ed25519" | "ecdsa-p256-sha256", "value": "<base64>"}
// Stateless functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "webhook/common/status.h"

namespace migwarden::policy {

struct ArtifactSignature {
  std::string algorithm;  // "ed25519" or "ecdsa-p256-sha256"
  std::string value;      // base64
};

// Signs `digest` with a PEM private key (Ed25519 or EC P-256).
Result<ArtifactSignature> signDigest(std::string_view digest, std::string_view privateKeyPem);

// Ok when `signature` is a valid signature of `digest` by the PEM public key.
Status verifyDigestSignature(std::string_view digest, const ArtifactSignature& signature,
                             std::string_view publicKeyPem);

}  // namespace migwarden::policy
