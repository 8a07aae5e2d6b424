// Package signing is what a voucher signature covers and how it is checked,
// without a database: the canonical, versioned bytes of a voucher that a
// signer's Ed25519 key signs (the signing payload), the keys and signatures
// as they are written down (standard base64), and their check. The same
// bytes are built by the server before it stores a signature, by the
// signer's client before it signs, and by `sunlight verify` and anyone with
// the open data afterwards, so a signature proves what was signed.
package signing

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/money"
)

// Version is the encoding new signatures are made over. A change of the
// encoding gets a new version and keeps the old ones, so signatures made
// earlier still verify.
const Version = 1

// Voucher is what a signature covers: the voucher's content as it is
// disclosed, and the capacity the signer signs in.
type Voucher struct {
	Community    string // the community's code, e.g. gezishi
	Number       string
	Date         time.Time // civil date (package calendar)
	Direction    string    // INCOME or EXPENSE
	Category     string
	Amount       money.Fen
	Summary      string
	Counterparty string
	Reverses     string // number of the voucher it reverses; empty if none
	Capacity     string // e.g. COMMITTEE
}

// Payload is the canonical encoding of v in version, the bytes a signer
// signs: UTF-8 lines "key=value" in a fixed order after a header naming the
// version, each ending in "\n"; in a value a backslash is written "\\", a
// line feed "\n" and a carriage return "\r", so no value can add a line.
//
//	sunlight-voucher-signature/1
//	community=gezishi
//	number=2026-11-002
//	date=2026-11-24
//	direction=EXPENSE
//	category=办公用品
//	amount_fen=56000
//	summary=会议室桌椅
//	counterparty=岳阳市文化办公用品店
//	reverses=
//	capacity=COMMITTEE
func Payload(v Voucher, version int) ([]byte, error) {
	if version != 1 {
		return nil, fail.Invalidf("signature encoding version %d does not exist; this build knows version 1", version)
	}
	var b strings.Builder
	b.WriteString("sunlight-voucher-signature/1\n")
	for _, kv := range [][2]string{
		{"community", v.Community},
		{"number", v.Number},
		{"date", calendar.FormatDate(v.Date)},
		{"direction", v.Direction},
		{"category", v.Category},
		{"amount_fen", strconv.FormatInt(int64(v.Amount), 10)},
		{"summary", v.Summary},
		{"counterparty", v.Counterparty},
		{"reverses", v.Reverses},
		{"capacity", v.Capacity},
	} {
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(escaper.Replace(kv[1]))
		b.WriteByte('\n')
	}
	return []byte(b.String()), nil
}

var escaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`)

// capacities are the capacities in Chinese, for the text a signer reads.
var capacities = map[string]string{
	"PREPARER": "经办人", "ACCOUNTANT": "会计", "CASHIER": "出纳", "SECRETARY": "书记", "COMMITTEE": "两委成员",
	"SUPERVISOR": "监督委员会", "GROUP_LEADER": "组长", "REPRESENTATIVE": "居民代表", "OTHER": "其他",
}

// CapacityName is a capacity in Chinese (经办人 for PREPARER).
func CapacityName(c string) string {
	if n, ok := capacities[c]; ok {
		return n
	}
	return c
}

// Text is what a signer reads before signing v: the voucher in Chinese with
// the amount in figures and in capitals (大写).
func Text(v Voucher) string {
	dir := "支出"
	if v.Direction == "INCOME" {
		dir = "收入"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "社区：%s\n凭证号：%s\n日期：%s\n收支：%s\n科目：%s\n金额：%s 元（%s）\n摘要：%s\n",
		v.Community, v.Number, calendar.FormatDate(v.Date), dir, v.Category, v.Amount.Grouped(), money.Capitals(v.Amount), v.Summary)
	if v.Counterparty != "" {
		fmt.Fprintf(&b, "往来单位：%s\n", v.Counterparty)
	}
	if v.Reverses != "" {
		fmt.Fprintf(&b, "冲销原凭证：%s\n", v.Reverses)
	}
	fmt.Fprintf(&b, "签字身份：%s", CapacityName(v.Capacity))
	return b.String()
}

// ParsePublicKey reads an Ed25519 public key written as standard base64 of
// its 32 bytes.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fail.Invalidf("a public key is the 32 bytes of an Ed25519 public key in standard base64 (44 characters), e.g. as `sunlight signer keygen` prints it")
	}
	return ed25519.PublicKey(b), nil
}

// ParseSignature reads an Ed25519 signature written as standard base64 of
// its 64 bytes.
func ParseSignature(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.SignatureSize {
		return nil, fail.Invalidf("a signature is the 64 bytes of an Ed25519 signature in standard base64 (88 characters)")
	}
	return b, nil
}

// Encode writes key or signature bytes as they are stored and shown.
func Encode(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Verify reports whether sig (base64) is pub's (base64) signature of payload.
func Verify(pub, sig string, payload []byte) bool {
	k, err := ParsePublicKey(pub)
	if err != nil {
		return false
	}
	s, err := ParseSignature(sig)
	if err != nil {
		return false
	}
	return ed25519.Verify(k, payload, s)
}

// Fingerprint is a short name for a public key (base64), as printed beside
// a signer: the first 8 bytes of the SHA-256 of the key's 32 bytes, in hex
// groups of four (e.g. 3f2a-91c0-7d4e-b815).
func Fingerprint(pub string) string {
	k, err := ParsePublicKey(pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(k)
	h := hex.EncodeToString(sum[:8])
	return h[0:4] + "-" + h[4:8] + "-" + h[8:12] + "-" + h[12:16]
}
