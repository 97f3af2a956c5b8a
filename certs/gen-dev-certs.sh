#!/usr/bin/env bash
# Development PKI for migwarden-webhook: an ECDSA P-256 CA and a serving certificate
# signed by it, plus the Kubernetes Secret manifest and the caBundle for the webhook
# configurations.
#
#   certs/gen-dev-certs.sh OUTDIR [--force]
#
# Writes OUTDIR/{ca.crt,ca.key,tls.crt,tls.key,secret.yaml,ca-bundle.b64}.
# Idempotent: an existing pair is kept while it is valid for at least 30 more days and
# was signed by OUTDIR/ca.crt; --force makes a new CA and serving pair.
# Not for production: use cert-manager or your own CA there (docs/certificates.md).
#
# Environment: MIGWARDEN_NAMESPACE (default migwarden), MIGWARDEN_SERVICE (default
# migwarden), CERT_DAYS (default 365), EXTRA_SANS (comma list, e.g. "DNS:foo,IP:10.0.0.1").
set -euo pipefail

out="${1:?usage: gen-dev-certs.sh OUTDIR [--force]}"
force="${2:-}"
ns="${MIGWARDEN_NAMESPACE:-migwarden}"
svc="${MIGWARDEN_SERVICE:-migwarden}"
days="${CERT_DAYS:-365}"
sans="DNS:localhost,IP:127.0.0.1,IP:::1,DNS:${svc}.${ns}.svc,DNS:${svc}.${ns}.svc.cluster.local"
[[ -n "${EXTRA_SANS:-}" ]] && sans="${sans},${EXTRA_SANS}"

mkdir -p "$out"
chmod 700 "$out"
umask 077

still_good() {
  [[ -f "$out/ca.crt" && -f "$out/tls.crt" && -f "$out/tls.key" ]] || return 1
  openssl x509 -checkend $((30 * 86400)) -noout -in "$out/tls.crt" >/dev/null 2>&1 || return 1
  openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" >/dev/null 2>&1 || return 1
  # The SAN list must still match what was asked for (e.g. EXTRA_SANS changed).
  local want have
  want=$(tr ',' '\n' <<<"$sans" | sed 's/^IP:::1$/IP Address:0:0:0:0:0:0:0:1/; s/^IP:/IP Address:/' | sort | tr '\n' ',')
  have=$(openssl x509 -noout -ext subjectAltName -in "$out/tls.crt" | tail -n +2 | tr -d ' ' | tr ',' '\n' |
         sed 's/^IPAddress:/IP Address:/' | sort | tr '\n' ',')
  [[ "$want" == "$have" ]]
}

if [[ "$force" != "--force" ]] && still_good; then
  echo "certs: keeping the valid pair in $out" >&2
else
  if [[ "$force" == "--force" || ! -f "$out/ca.key" ]] ||
     ! openssl x509 -checkend $((30 * 86400)) -noout -in "$out/ca.crt" >/dev/null 2>&1; then
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
      -keyout "$out/ca.key" -out "$out/ca.crt" -days $((days * 3)) \
      -subj "/O=migwarden dev/CN=migwarden dev CA" \
      -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  fi
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$out/tls.key.new" -out "$out/tls.csr" \
    -subj "/O=migwarden dev/CN=${svc}.${ns}.svc" 2>/dev/null
  openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -out "$out/tls.crt.new" -days "$days" \
    -extfile <(printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$sans") 2>/dev/null
  # Rename key first, then certificate: a webhook polling the files may see a
  # half-replaced pair for a moment and will refuse it (it keeps the old one).
  mv "$out/tls.key.new" "$out/tls.key"
  mv "$out/tls.crt.new" "$out/tls.crt"
  rm -f "$out/tls.csr" "$out/ca.srl"
  echo "certs: wrote a new serving certificate in $out (SANs: $sans)" >&2
fi

base64 -w0 <"$out/ca.crt" >"$out/ca-bundle.b64"
cat >"$out/secret.yaml" <<YAML
# kubectl apply -f $out/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: migwarden-tls
  namespace: ${ns}
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 <"$out/tls.crt")
  tls.key: $(base64 -w0 <"$out/tls.key")
  ca.crt: $(base64 -w0 <"$out/ca.crt")
YAML
chmod 600 "$out/secret.yaml" "$out/tls.key" "$out/ca.key"
chmod 644 "$out/tls.crt" "$out/ca.crt" "$out/ca-bundle.b64"
