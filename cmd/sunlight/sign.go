package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"sunlight/internal/demo"
	"sunlight/internal/ledger/signing"
)

const signerUsage = `Usage:
  sunlight signer keygen --out KEY.pem
      make an Ed25519 key pair on this machine: the private key goes to KEY.pem (readable by you
      only), the public key is printed, to register with your enrolment code
  sunlight signer demo-key --community CODE --name NAME --out KEY.pem
      write the demo's key of a demo signer (seeded from the names, so public: for trying it out)
  sunlight signer register --code CODE --key KEY.pem [--url URL]
      register the public key of KEY.pem with the one-time enrolment code the community gave you
  sunlight sign --voucher ID --signer ID --key KEY.pem [--url URL] [--token TOKEN]
      fetch what you sign on the voucher, show it, sign it with your key and submit the signature
  sunlight sign --payload FILE --key KEY.pem [--voucher ID --signer ID --url URL]
      sign the payload bytes in FILE (offline); print the signature, and submit it when
      --voucher, --signer and --url are given

URL is the server's GraphQL endpoint (SUNLIGHT_URL, default http://127.0.0.1:8080/graphql);
TOKEN (SUNLIGHT_TOKEN) is needed only to read a draft voucher's payload. The private key never
leaves this machine.
`

func signerCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, signerUsage)
		return errors.New("signer: say keygen or register")
	}
	fs := flag.NewFlagSet("signer "+args[0], flag.ContinueOnError)
	out := fs.String("out", "", "file to write the private key to (keygen)")
	keyFile := fs.String("key", "", "your private key file (register)")
	code := fs.String("code", "", "the one-time enrolment code (register)")
	url := urlFlag(fs)
	community := fs.String("community", "", "community code (demo-key)")
	name := fs.String("name", "", "demo signer's name (demo-key)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "demo-key":
		if *community == "" || *name == "" || *out == "" {
			return errors.New("signer demo-key: give --community, --name and --out")
		}
		key := demo.SignerKey(*community, *name)
		if err := signing.WriteKey(*out, key); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "demo key of %s written to %s\npublic key:  %s\n", *name, *out, signing.PublicOf(key))
		return nil
	case "keygen":
		if *out == "" {
			return errors.New("signer keygen: say where to write the private key with --out KEY.pem")
		}
		pub, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return fmt.Errorf("make key: %w", err)
		}
		if err := signing.WriteKey(*out, key); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "private key written to %s (keep it; it never leaves this machine)\npublic key:  %s\nfingerprint: %s\n",
			*out, signing.Encode(pub), signing.Fingerprint(signing.Encode(pub)))
		return nil
	case "register":
		if *code == "" || *keyFile == "" {
			return errors.New("signer register: give --code and --key")
		}
		key, err := signing.ReadKey(*keyFile)
		if err != nil {
			return err
		}
		var res struct {
			RegisterSignerKey struct{ ID, Name, PublicKey string }
		}
		err = gqlCall(ctx, *url, "", `mutation($c: String!, $k: String!) { registerSignerKey(code: $c, publicKey: $k) { id name publicKey } }`,
			map[string]any{"c": *code, "k": signing.PublicOf(key)}, &res)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "registered the key %s for signer %s (id %s)\n", signing.Fingerprint(res.RegisterSignerKey.PublicKey), res.RegisterSignerKey.Name, res.RegisterSignerKey.ID)
		return nil
	default:
		fmt.Fprint(os.Stderr, signerUsage)
		return fmt.Errorf("signer: unknown command %q", args[0])
	}
}

func urlFlag(fs *flag.FlagSet) *string {
	return fs.String("url", env("SUNLIGHT_URL", "http://127.0.0.1:8080/graphql"), "the server's GraphQL endpoint (SUNLIGHT_URL)")
}

// signCmd signs a voucher with the signer's key: the payload is fetched
// from the server (or read from a file, offline), shown, signed here and
// the signature submitted; the server verifies it before storing it.
func signCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	voucherID := fs.String("voucher", "", "the voucher's ID")
	signerID := fs.String("signer", "", "your signer ID")
	keyFile := fs.String("key", "", "your private key file")
	payloadFile := fs.String("payload", "", "sign the payload bytes in this file instead of fetching them")
	tok := fs.String("token", env("SUNLIGHT_TOKEN", ""), "API token to read the voucher's payload (SUNLIGHT_TOKEN)")
	url := urlFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keyFile == "" {
		fmt.Fprint(os.Stderr, signerUsage)
		return errors.New("sign: give your private key with --key")
	}
	key, err := signing.ReadKey(*keyFile)
	if err != nil {
		return err
	}
	var payload []byte
	submit := *voucherID != "" && *signerID != ""
	if *payloadFile != "" {
		if payload, err = os.ReadFile(*payloadFile); err != nil {
			return fmt.Errorf("read payload: %w", err)
		}
		submit = submit && flagSet(fs, "url")
	} else {
		if !submit {
			return errors.New("sign: give --voucher and --signer (or --payload FILE to sign offline)")
		}
		var res struct {
			Node *struct {
				SigningPayload struct{ Bytes, Text string }
			}
		}
		err := gqlCall(ctx, *url, *tok, `query($v: ID!, $s: ID!) { node(id: $v) { ... on Voucher { signingPayload(signerID: $s) { bytes text } } } }`,
			map[string]any{"v": *voucherID, "s": *signerID}, &res)
		if err != nil {
			return err
		}
		if res.Node == nil {
			return fmt.Errorf("voucher %s is not visible with this token: give a token of its community with --token, or sign a payload file", *voucherID)
		}
		if payload, err = base64.StdEncoding.DecodeString(res.Node.SigningPayload.Bytes); err != nil {
			return fmt.Errorf("the server's payload is not base64: %w", err)
		}
		fmt.Fprintf(stdout, "%s\n\n", res.Node.SigningPayload.Text)
	}
	sig := signing.Encode(ed25519.Sign(key, payload))
	fmt.Fprintf(stdout, "signature: %s\n", sig)
	if !submit {
		return nil
	}
	var res struct {
		SignVoucher struct{ Number, Status string }
	}
	err = gqlCall(ctx, *url, *tok, `mutation($v: ID!, $s: ID!, $sig: String!) { signVoucher(input: {voucherID: $v, signerID: $s, signature: $sig}) { number status } }`,
		map[string]any{"v": *voucherID, "s": *signerID, "sig": sig}, &res)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "signed voucher %s (%s)\n", res.SignVoucher.Number, res.SignVoucher.Status)
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set || os.Getenv("SUNLIGHT_URL") != ""
}

// gqlCall posts one GraphQL operation and decodes its data into out; a
// GraphQL error is returned with its code.
func gqlCall(ctx context.Context, url, tok, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("call %s: %w", url, err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("%s answered HTTP %d without a GraphQL response: %w", url, resp.StatusCode, err)
	}
	if len(r.Errors) > 0 {
		msgs := make([]string, len(r.Errors))
		for i, e := range r.Errors {
			msgs[i] = e.Extensions.Code + ": " + e.Message
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return json.Unmarshal(r.Data, out)
}
