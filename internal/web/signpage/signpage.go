// Package signpage serves the signing page (签字页) at /sign: a signer's
// browser makes its own Ed25519 key with WebCrypto, registers the public
// key with the one-time enrolment code, and signs vouchers over the API's
// signing payload. The private key is made non-extractable and kept in the
// browser's IndexedDB: it never leaves the browser, and the page itself
// cannot read it out. One static page, no build step; everything it does
// goes through /graphql (registerSignerKey, signingPayload, signVoucher),
// so the server checks every signature as it checks the CLI's.
package signpage

import (
	_ "embed"
	"net/http"
)

//go:embed sign.html
var page []byte

// Register adds GET /sign to mux.
func Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /sign", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page runs only its own script and talks only to this server.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(page)
	})
}
