// Checks every signature of a Sunlight open-data export, without Sunlight:
// Node's own crypto, no packages. Usage:
//
//   curl -O http://127.0.0.1:8080/open-data/gezishi/2026/signatures.json
//   node check-signatures.js signatures.json
//
// Each row holds the signer's Ed25519 public key (32 bytes, base64), the
// signed bytes (the voucher's canonical encoding, base64: decode it to read
// the voucher it covers) and the signature (64 bytes, base64).
const crypto = require('crypto');
const fs = require('fs');

const rows = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
// An Ed25519 public key as DER (SubjectPublicKeyInfo): a fixed 12-byte prefix, then the key.
const spki = (b64) => crypto.createPublicKey({
  key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(b64, 'base64')]),
  format: 'der', type: 'spki',
});
let good = 0, bad = 0, nameOnly = 0;
for (const r of rows) {
  if (r.method !== 'ED25519') { nameOnly++; continue; }
  const ok = crypto.verify(null, Buffer.from(r.payload, 'base64'), spki(r.public_key), Buffer.from(r.signature, 'base64'));
  const covers = Buffer.from(r.payload, 'base64').toString('utf8').includes(`\nnumber=${r.voucher}\n`);
  if (ok && covers) { good++; } else { bad++; console.log(`FAILS voucher ${r.voucher}, ${r.signer} (${r.key_fingerprint})`); }
}
console.log(`${good} signatures verify, ${bad} fail, ${nameOnly} name-only (unverified)`);
process.exit(bad ? 1 : 0);
