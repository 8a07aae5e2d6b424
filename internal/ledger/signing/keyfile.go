package signing

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// A signer's private key is kept in a file of its own, as PEM of PKCS#8
// ("-----BEGIN PRIVATE KEY-----"), the form OpenSSL reads and writes
// (`openssl pkey -in KEY -pubout` shows the public key), readable by its
// owner only.

// WriteKey writes key to path, refusing to overwrite a file.
func WriteKey(path string, key ed25519.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode private key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write private key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		_ = f.Close()
		return fmt.Errorf("write private key %s: %w", path, err)
	}
	return f.Close()
}

// ReadKey reads an Ed25519 private key written by WriteKey (or by
// `openssl genpkey -algorithm ed25519`).
func ReadKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	return ParseKey(b)
}

// ParseKey reads the PEM of an Ed25519 private key in PKCS#8.
func ParseKey(b []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM private key (-----BEGIN PRIVATE KEY-----)")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the private key is a %T, not an Ed25519 key", k)
	}
	return key, nil
}

// PublicOf is key's public key as it is registered (standard base64).
func PublicOf(key ed25519.PrivateKey) string { return Encode(key.Public().(ed25519.PublicKey)) }
