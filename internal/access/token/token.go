// Package token issues, looks up and revokes API tokens, and turns the
// bearer token of an HTTP request into the viewer of package auth.
package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/privacy"

	"sunlight/ent"
	"sunlight/ent/accesstoken"
	"sunlight/ent/community"
	"sunlight/internal/access/auth"
	"sunlight/internal/vocab/fail"
)

// tokenPrefix marks Sunlight tokens so secret scanners can find leaked ones.
const tokenPrefix = "slt_"

// ErrBadToken is returned for a token that is unknown, expired or revoked.
var ErrBadToken = errors.New("the token is unknown, expired or revoked")

// Hash is how a token is stored: its SHA-256, never the token itself.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// New describes a token to issue.
type New struct {
	Name      string
	Role      auth.Role
	Community string // code; required for staff and supervisors
	District  string // required for officials
	TTL       time.Duration
}

// Issue creates a token and returns it in clear, once: only its hash is kept.
func Issue(ctx context.Context, client *ent.Client, n New, now time.Time) (string, *ent.AccessToken, error) {
	if !n.Role.Valid() {
		return "", nil, fail.Invalidf("unknown role %q; use one of %v", n.Role, auth.Roles)
	}
	if n.TTL <= 0 {
		return "", nil, fail.Invalidf("a token needs a lifetime (e.g. 90 days)")
	}
	q := client.AccessToken.Create().SetName(n.Name).SetRole(string(n.Role)).
		SetCreatedAt(now).SetExpiresAt(now.Add(n.TTL))
	switch n.Role {
	case auth.CommunityStaff, auth.Supervisor:
		if n.Community == "" {
			return "", nil, fail.Invalidf("a %s token needs --community", n.Role)
		}
		c, err := client.Community.Query().Where(community.Code(n.Community)).Only(ctx)
		if ent.IsNotFound(err) {
			return "", nil, fail.NotFoundf("no community has the code %q", n.Community)
		}
		if err != nil {
			return "", nil, err
		}
		q.SetCommunityID(c.ID)
	case auth.DistrictOfficial:
		if n.District == "" {
			return "", nil, fail.Invalidf("a DISTRICT_OFFICIAL token needs --district")
		}
		q.SetDistrict(n.District)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("random token: %w", err)
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t, err := q.SetTokenHash(Hash(token)).Save(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return "", nil, fmt.Errorf("store token: %w", err)
	}
	return token, t, nil
}

// Lookup turns a presented token into its viewer.
func Lookup(ctx context.Context, client *ent.Client, token string, now time.Time) (*auth.Viewer, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, ErrBadToken
	}
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	t, err := client.AccessToken.Query().Where(accesstoken.TokenHash(Hash(token))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("look up token: %w", err)
	}
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) {
		return nil, ErrBadToken
	}
	v := &auth.Viewer{Role: auth.Role(t.Role), Name: t.Name, TokenID: t.ID, District: t.District}
	switch v.Role {
	case auth.CommunityStaff, auth.Supervisor:
		if t.CommunityID == nil {
			return nil, ErrBadToken
		}
		v.Communities = []int{*t.CommunityID}
	case auth.DistrictOfficial:
		ids, err := client.Community.Query().Where(community.District(t.District)).IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("communities of district %s: %w", t.District, err)
		}
		v.Communities = ids
	}
	if v.Communities == nil && v.Confined() {
		v.Communities = []int{}
	}
	return v, nil
}

// Revoke ends a token now.
func Revoke(ctx context.Context, client *ent.Client, id int, now time.Time) error {
	err := client.AccessToken.UpdateOneID(id).SetRevokedAt(now).Exec(privacy.DecisionContext(ctx, privacy.Allow))
	if ent.IsNotFound(err) {
		return fail.NotFoundf("no token %d", id)
	}
	return err
}
